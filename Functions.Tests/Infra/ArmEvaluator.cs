using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InsightsFunctions.Tests.Infra;

/// <summary>
/// Evaluates the subset of ARM template functions the compiled app settings use (reduce, toObject, union,
/// createObject, format, string, range, length, coalesce, tryGet, if, empty, equals, null, parameters, variables, reference,
/// environment, resourceId, lambdas), with ARM's semantics where they matter (<c>string(true)</c> is <c>"True"</c>). Lets a test compute the
/// exact app settings a deployment would write for given parameters, offline, and bind them like the app does.
/// </summary>
internal sealed class ArmEvaluator(
    IReadOnlyDictionary<string, JsonNode?> parameters,
    IReadOnlyDictionary<string, string>? variables = null,
    Func<string, JsonNode?>? reference = null)
{
    private static readonly IReadOnlyDictionary<string, JsonNode?> NoLambdaVariables = new Dictionary<string, JsonNode?>();

    public JsonNode? Evaluate(string value) => Evaluate(ArmExpression.Parse(value), NoLambdaVariables);

    /// <summary>A template value: every string in it that is an expression evaluated, the rest kept.</summary>
    public JsonNode? EvaluateNode(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, EvaluateNode(p.Value)))),
        JsonArray arr => new JsonArray([.. arr.Select(EvaluateNode)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Evaluate(v.GetValue<string>()),
        _ => node?.DeepClone(),
    };

    private JsonNode? Evaluate(ArmExpression expression, IReadOnlyDictionary<string, JsonNode?> locals) => expression switch
    {
        ArmExpression.Literal { Value: string s } => JsonValue.Create(s),
        ArmExpression.Literal { Value: long n } => JsonValue.Create(n),
        ArmExpression.Access access => Member(access, locals),
        ArmExpression.Call call => Call(call, locals),
        _ => throw new NotSupportedException(expression.Text),
    };

    private JsonNode? Member(ArmExpression.Access access, IReadOnlyDictionary<string, JsonNode?> locals)
    {
        var target = Evaluate(access.Target, locals);
        // a.b parses to a literal member whose text is the bare name; a['b'] or a[0] to an expression.
        if (access.Member is ArmExpression.Literal { Value: string name } literal && literal.Text == name)
        {
            return target?[name]?.DeepClone();
        }
        var index = Evaluate(access.Member, locals);
        return index!.GetValueKind() == JsonValueKind.Number ? target![(int)index.GetValue<long>()]?.DeepClone() : target?[index.GetValue<string>()]?.DeepClone();
    }

    private JsonNode? Call(ArmExpression.Call call, IReadOnlyDictionary<string, JsonNode?> locals)
    {
        var a = call.Arguments;
        JsonNode? Arg(int i) => Evaluate(a[i], locals);
        switch (call.Name)
        {
            case "parameters":
                return parameters[Arg(0)!.GetValue<string>()]?.DeepClone();
            case "variables":
                return Evaluate(variables![Arg(0)!.GetValue<string>()]);
            case "reference":
                return reference!(Arg(0)!.GetValue<string>());
            case "null":
                return null;
            case "equals":
                return JsonValue.Create(JsonNode.DeepEquals(Arg(0), Arg(1)));
            case "environment":
                return JsonNode.Parse("""{"name": "AzureCloud", "suffixes": {"storage": "core.windows.net", "keyvaultDns": ".vault.azure.net"}}""");
            case "resourceId":
                return JsonValue.Create("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/"
                    + string.Join('/', a.Select((_, i) => Arg(i)!.GetValue<string>()).Take(1).Concat(a.Skip(1).Select((_, i) => Arg(i + 1)!.GetValue<string>()))));
            case "lambdaVariables":
                return locals[Arg(0)!.GetValue<string>()]?.DeepClone();
            case "createObject":
                var created = new JsonObject();
                for (var i = 0; i < a.Count; i += 2)
                {
                    created[Arg(i)!.GetValue<string>()] = Arg(i + 1);
                }
                return created;
            case "createArray":
                return new JsonArray([.. a.Select((_, i) => Arg(i))]);
            case "union":
                var union = new JsonObject();
                foreach (var part in a.Select((_, i) => Arg(i)!.AsObject()))
                {
                    foreach (var (name, entry) in part)
                    {
                        union[name] = entry?.DeepClone();
                    }
                }
                return union;
            case "format":
                return JsonValue.Create(string.Format(CultureInfo.InvariantCulture, Arg(0)!.GetValue<string>(), [.. a.Skip(1).Select((_, i) => Scalar(Arg(i + 1)))]));
            case "string":
                return JsonValue.Create(Arg(0) is { } s && s.GetValueKind() is JsonValueKind.Object or JsonValueKind.Array ? s.ToJsonString() : Convert.ToString(Scalar(Arg(0)), CultureInfo.InvariantCulture));
            case "range":
                var start = Arg(0)!.GetValue<long>();
                return new JsonArray([.. Enumerable.Range(0, (int)Arg(1)!.GetValue<long>()).Select(i => (JsonNode)JsonValue.Create(start + i))]);
            case "length":
                return JsonValue.Create((long)(Arg(0) switch { JsonArray arr => arr.Count, JsonObject obj => obj.Count, var v => v!.GetValue<string>().Length }));
            case "coalesce":
                return a.Select((_, i) => Arg(i)).FirstOrDefault(v => v is not null);
            case "tryGet":
                return Arg(0) is JsonObject tryObject && tryObject.TryGetPropertyValue(Arg(1)!.GetValue<string>(), out var found) ? found?.DeepClone() : null;
            case "if":
                return Arg(0)!.GetValue<bool>() ? Arg(1) : Arg(2);
            case "empty":
                return JsonValue.Create(Arg(0) switch
                {
                    null => true,
                    JsonArray arr => arr.Count == 0,
                    JsonObject obj => obj.Count == 0,
                    var v => v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0,
                });
            case "reduce":
                var accumulated = Arg(1);
                var (fold, names) = Lambda(a[2]);
                foreach (var item in Arg(0)!.AsArray())
                {
                    accumulated = Evaluate(fold, With(locals, (names[0], accumulated), (names[1], item?.DeepClone())));
                }
                return accumulated;
            case "toObject":
                var (key, keyNames) = Lambda(a[1]);
                var (value, valueNames) = a.Count > 2 ? Lambda(a[2]) : (null, []);
                var result = new JsonObject();
                foreach (var item in Arg(0)!.AsArray())
                {
                    result[Evaluate(key, With(locals, (keyNames[0], item?.DeepClone())))!.GetValue<string>()] =
                        value is null ? item?.DeepClone() : Evaluate(value, With(locals, (valueNames[0], item?.DeepClone())));
                }
                return result;
            default:
                throw new NotSupportedException($"ARM function {call.Name} is not in the evaluated subset");
        }
    }

    /// <summary><c>lambda('a', 'b', body)</c>: the body and its parameter names.</summary>
    private static (ArmExpression Body, string[] Names) Lambda(ArmExpression expression)
    {
        var lambda = Assert.IsType<ArmExpression.Call>(expression);
        Assert.Equal("lambda", lambda.Name);
        return (lambda.Arguments[^1], [.. lambda.Arguments.SkipLast(1).Select(n => n.AsString!)]);
    }

    private static Dictionary<string, JsonNode?> With(IReadOnlyDictionary<string, JsonNode?> locals, params (string Name, JsonNode? Value)[] added)
    {
        var copy = new Dictionary<string, JsonNode?>(locals);
        foreach (var (name, value) in added)
        {
            copy[name] = value;
        }
        return copy;
    }

    /// <summary>A JSON scalar as ARM formats it (booleans as True/False).</summary>
    private static object? Scalar(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => null,
        JsonValueKind.String => node.GetValue<string>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => node.GetValue<long>(),
        _ => node.ToJsonString(),
    };
}
