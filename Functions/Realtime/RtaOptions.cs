namespace InsightsFunctions.Realtime;

/// <summary><c>Insights:Rta</c>: the WFM RTA feed route.</summary>
public sealed class RtaOptions
{
    public const string Section = "Insights:Rta";

    /// <summary>The secret the feed presents as <c>?code=</c>; without it the route refuses every request (403). Never logged.</summary>
    public string? SharedSecret { get; set; }

}
