using System.Text.Json.Nodes;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// A compiled ARM template walked through its nested module deployments: every resource with the module it
/// sits in (languageVersion 2.0 keys resources by symbolic name, older templates list them).
/// </summary>
internal sealed record ArmResource(string Module, string Symbol, JsonObject Body)
{
    public string Type => (string)Body["type"]!;

    public JsonNode? Properties => Body["properties"];

    public static IReadOnlyList<ArmResource> All(JsonObject template, string module = "main")
    {
        var found = new List<ArmResource>();
        foreach (var (symbol, body) in Resources(template))
        {
            found.Add(new ArmResource(module, symbol, body));
            if ((string?)body["type"] == "Microsoft.Resources/deployments" && body["properties"]?["template"] is JsonObject nested)
            {
                found.AddRange(All(nested, symbol));
            }
        }
        return found;
    }

    /// <summary>A module (nested deployment) of main.bicep by its symbolic name: its condition, parameters, template.</summary>
    public static JsonObject ModuleDeployment(JsonObject template, string symbol) =>
        Resources(template).Single(r => r.Symbol == symbol).Body;

    /// <summary>The nested template of a module of main.bicep, by its symbolic name.</summary>
    public static JsonObject ModuleTemplate(JsonObject template, string symbol) => ModuleDeployment(template, symbol)["properties"]!["template"]!.AsObject();

    /// <summary>The parameter values main.bicep passes to a module (expressions, as text).</summary>
    public static JsonObject ModuleParameters(JsonObject template, string symbol) => ModuleDeployment(template, symbol)["properties"]!["parameters"]!.AsObject();

    private static IEnumerable<(string Symbol, JsonObject Body)> Resources(JsonObject template) => template["resources"] switch
    {
        JsonObject bySymbol => bySymbol.Select(p => (p.Key, p.Value!.AsObject())),
        JsonArray list => list.Select((r, i) => ((string?)r!["name"] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture), r.AsObject())),
        _ => [],
    };
}
