using System.Reflection;
using System.Reflection.Emit;

namespace InsightsFunctions.Tests.Architecture;

/// <summary>
/// The app's folders depend on each other in one direction only (docs/architecture.md, "Folders"): every folder is
/// a namespace, listed here from the bottom up, and may use only the folders below it. Dependencies are read from the
/// compiled assembly, not the source text: base types, interfaces, fields, properties, signatures, attributes, and
/// every type, method and field a method body (lambdas and async state machines included) refers to.
/// </summary>
[Trait("Category", "Unit")]
public sealed class FolderDependencyTests
{
    /// <summary>Bottom first. A new folder must be placed here; moving one is a design decision, so say why in the commit.</summary>
    public static readonly string[] Layers =
    [
        "Configuration", "Scheduling", "Events", "Hipaa", "Retention", "Metrics",
        "EventBus", "Ingest", "Stitching", "Agents", "Datasets", "Exports",
        "Realtime", "Loads", "Consumer", "Backfill", "Replay",
        "Storage", "Health", "Hosting",
    ];

    private const string Root = "InsightsFunctions.";
    private static readonly Assembly App = typeof(InsightsFunctions.Hosting.InsightsHosts).Assembly;

    [Fact]
    public void EveryFolder_UsesOnlyTheFoldersBelowIt()
    {
        var upward = Dependencies(App)
            .Where(d => Array.IndexOf(Layers, d.To) > Array.IndexOf(Layers, d.From))
            .Select(d => $"{d.From} -> {d.To} ({d.Via})")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(upward.Count == 0, "Folders that use a folder above them:\n" + string.Join("\n", upward));
    }

    /// <summary>
    /// The compiler copies constants into the IL as values, so a folder that only reads another's <c>const</c> leaves no
    /// token behind: the source's <c>using InsightsFunctions.X;</c> directives, <c>InsightsFunctions.X.</c> names and names
    /// qualified by a folder (<c>Loads.LoadDatasets</c>) are held to the same order.
    /// </summary>
    [Fact]
    public void EveryFolder_ImportsOnlyTheFoldersBelowIt()
    {
        var upward = new List<string>();
        foreach (var folder in Layers)
        {
            foreach (var file in Directory.GetFiles(InsightsFunctions.Tests.Support.RepositoryFiles.Path($"Functions/{folder}"), "*.cs", SearchOption.AllDirectories))
            {
                // InsightsFunctions.X (usings, full names) and X.Type (a name qualified from inside InsightsFunctions).
                foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), @"\bInsightsFunctions\.(\w+)|(?<![\w.])(\w+)\.[A-Z]"))
                {
                    var to = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                    if (Array.IndexOf(Layers, to) > Array.IndexOf(Layers, folder))
                    {
                        upward.Add($"{folder} -> {to} ({Path.GetFileName(file)})");
                    }
                }
            }
        }

        Assert.True(upward.Count == 0, "Source files that import a folder above theirs:\n" + string.Join("\n", upward.Distinct()));
    }

    /// <summary>The domain folders: no Azure SDK and no Functions worker type (adapters and function classes live elsewhere).</summary>
    public static readonly string[] Domain = ["Events", "Hipaa", "Stitching", "Agents", "Datasets"];

    [Fact]
    public void TheDomainFolders_UseNoAzureSdkOrFunctionsType()
    {
        var azure = App.GetTypes()
            .Where(t => FolderOf(t) is { } folder && Domain.Contains(folder))
            .SelectMany(t => TypesUsedBy(t).Select(used => (Type: t, Used: used)))
            .Where(d => d.Used.Assembly.GetName().Name is { } name && (name.StartsWith("Azure.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Azure.Functions", StringComparison.Ordinal)))
            .Select(d => $"{FolderOf(d.Type)}: {d.Type.Name} uses {d.Used.FullName}")
            .Distinct()
            .ToList();

        Assert.True(azure.Count == 0, string.Join("\n", azure));
    }

    [Fact]
    public void EveryFolder_HasAPlaceInTheLayers()
    {
        var folders = App.GetTypes().Select(FolderOf).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Empty(folders.Except(Layers));
        Assert.Empty(Layers.Except(folders)); // no stale entries either
    }

    [Fact]
    public void TheScanner_SeesReferencesInSignaturesAndInMethodBodies()
    {
        var dependencies = Dependencies(App).ToList();

        // A signature: the Table adapter implements the loads' interface (adapters sit above what they implement).
        Assert.Contains(dependencies, d => d.From == "Storage" && d.To == "Loads");
        // A body: a method that names a type only in its IL.
        var method = typeof(FolderDependencyTests).GetMethod(nameof(NamesHostingOnlyInItsBody), All)!;
        Assert.Contains(typeof(InsightsFunctions.Hosting.InsightsHosts), TypesInBody(method));
    }

    private static object NamesHostingOnlyInItsBody() => typeof(InsightsFunctions.Hosting.InsightsHosts);

    private static string? FolderOf(Type type)
    {
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = ns[Root.Length..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    private sealed record Dependency(string From, string To, string Via);

    private static IEnumerable<Dependency> Dependencies(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            var from = FolderOf(type);
            if (from is null)
            {
                continue;
            }
            var outer = type;
            while (outer.DeclaringType is not null)
            {
                outer = outer.DeclaringType;
            }
            foreach (var used in TypesUsedBy(type))
            {
                if (used.Assembly == App && FolderOf(used) is { } to && to != from)
                {
                    yield return new Dependency(from, to, $"{outer.Name} uses {used.Name}");
                }
            }
        }
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> TypesUsedBy(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !found.Add(t))
            {
                return;
            }
            if (t.HasElementType)
            {
                Add(t.GetElementType());
            }
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }
        void AddAttributes(IEnumerable<CustomAttributeData> attributes)
        {
            foreach (var attribute in attributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
                {
                    Add(argument.Value as Type); // typeof(...) in an attribute
                }
            }
        }
        void AddConstraints(IEnumerable<Type> parameters)
        {
            foreach (var parameter in parameters.Where(p => p.IsGenericParameter))
            {
                foreach (var constraint in parameter.GetGenericParameterConstraints())
                {
                    Add(constraint);
                }
            }
        }

        Add(type.BaseType);
        AddConstraints(type.IsGenericTypeDefinition ? type.GetGenericArguments() : []);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }
        AddAttributes(type.CustomAttributes);
        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
            AddAttributes(field.CustomAttributes);
        }
        foreach (var property in type.GetProperties(All))
        {
            Add(property.PropertyType);
            AddAttributes(property.CustomAttributes);
        }
        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }
            AddAttributes(method.CustomAttributes);
            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
                AddAttributes(parameter.CustomAttributes);
            }
            AddConstraints(method.IsGenericMethodDefinition ? method.GetGenericArguments() : []);
            foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
            {
                Add(local.LocalType);
            }
            foreach (var used in TypesInBody(method))
            {
                Add(used);
            }
        }
        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every type a method body names through a metadata token (calls, fields, casts, new, typeof, ldtoken…).</summary>
    private static IEnumerable<Type> TypesInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, position);
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        // A token of a generic context the scan cannot supply: its declaring type is still in the signature checks.
                    }
                    if (member is Type t)
                    {
                        yield return t;
                    }
                    else if (member is not null)
                    {
                        yield return member.DeclaringType!;
                        if (member is FieldInfo f)
                        {
                            yield return f.FieldType;
                        }
                        if (member is MethodInfo m)
                        {
                            yield return m.ReturnType;
                            foreach (var argument in m.IsGenericMethod ? m.GetGenericArguments() : [])
                            {
                                yield return argument;
                            }
                        }
                    }
                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + (BitConverter.ToInt32(il, position) * 4);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    position += 1;
                    break;
                case OperandType.InlineVar:
                    position += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    position += 8;
                    break;
                default:
                    position += 4;
                    break;
            }
        }
    }
}
