using System.Reflection;

namespace InsightsFunctions.Tests;

/// <summary>
/// Every test class says which kind it is, so scripts/test.sh --fast (Category=Unit) cannot silently drop or
/// pick up a test: Unit (no Azurite, browser, bicep binary or CLI child process), Integration (Azurite or the real
/// CLI process), Browser (Playwright and chromium) or Infra (Bicep, pipeline YAML, deployment scripts).
/// </summary>
[Trait("Category", "Unit")]
public sealed class TestCategoryTests
{
    public static readonly string[] Kinds = ["Unit", "Integration", "Browser", "Infra"];

    [Fact]
    public void EveryTestClass_HasExactlyOneKnownCategoryTrait()
    {
        var testClasses = typeof(TestCategoryTests).Assembly.GetTypes()
            .Where(t => t.IsClass && t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
                .Any(m => m.IsDefined(typeof(FactAttribute), inherit: true))) // [Theory] is a [Fact]
            .ToList();
        Assert.NotEmpty(testClasses);

        var wrong = testClasses
            .Select(t => (Type: t, Categories: Categories(t)))
            .Where(c => c.Categories.Count != 1 || !Kinds.Contains(c.Categories[0]))
            .Select(c => $"{c.Type.FullName}: [{string.Join(", ", c.Categories)}]")
            .ToList();

        Assert.True(wrong.Count == 0,
            $"Each test class needs exactly one [Trait(\"Category\", ...)] of {string.Join("|", Kinds)}:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void NoTestMethod_CarriesItsOwnCategory()
    {
        // A method-level category would add a second one to its class's, and a filter on either would select it.
        var methods = typeof(TestCategoryTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributesData().Any(IsCategory))
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToList();

        Assert.Empty(methods);
    }

    private static List<string> Categories(Type type) =>
        [.. type.GetCustomAttributesData().Where(IsCategory).Select(a => (string)a.ConstructorArguments[1].Value!)];

    private static bool IsCategory(CustomAttributeData a) =>
        a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Category";
}
