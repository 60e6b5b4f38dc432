namespace InsightsFunctions.Cli.Simulation;

/// <summary>
/// Customer PII the simulator puts into task attributes and descriptions, so tests can prove none of it
/// survives a HIPAA account's pipeline (published bytes, spool, tables, logs). They are placed only in
/// attributes the allow-list drops: seed 003 keeps allow-listed fields (e.g. <c>conversations.case</c>)
/// as they are and makes keeping PHI out of those the customer's duty, so no filter could remove them.
/// </summary>
public static class PiiCanaries
{
    public const string Phone = "+15550199042";
    public const string PhoneDigits = "5550199042";
    public const string Name = "Canary McPatient";
    public const string Email = "canary.patient@example.org";
    public const string Address = "742 Canary Lane";
    public const string Diagnosis = "canary-diagnosis-hypertension";

    public static readonly string[] All = [PhoneDigits, Name, Email, Address, Diagnosis];
}
