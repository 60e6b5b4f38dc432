namespace InsightsFunctions.Configuration;

/// <summary>
/// A secret setting of an account that is not usable, so what depends on it is off: the setting's name and the rule it
/// breaks, never its value. An auth token problem leaves the whole account unconfigured (403); an RTA secret, wallboard
/// key or API key secret problem turns off only that route or that use.
/// </summary>
public sealed record AccountSettingProblem(string AccountSid, string Setting, string Reason, bool AccountDisabled)
{
    public override string ToString() => $"{Setting} {Reason}";
}
