using InsightsFunctions.Configuration;

namespace InsightsFunctions.Tests.Security;

/// <summary>Which secret values are usable (issue 19 item 3): anything else leaves what depends on it off.</summary>
[Trait("Category", "Unit")]
public sealed class SecretShapeTests
{
    [Theory]
    [InlineData("0123456789abcdef0123456789ABCDEF", true)]
    [InlineData("@Microsoft.KeyVault(VaultName=kv-insights;SecretName=twilio-auth-token-AC1)", false)]
    [InlineData("  @microsoft.keyvault(SecretUri=https://kv.vault.azure.net/secrets/x/)", false)]
    [InlineData("test-token-not-a-secret", false)]
    [InlineData("0123456789abcdef0123456789abcde", false)]   // 31
    [InlineData("0123456789abcdef0123456789abcdef0", false)] // 33
    [InlineData("0123456789abcdef0123456789abcdeg", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void AuthToken_IsUsableOnlyAs32Hex(string? value, bool usable) =>
        Assert.Equal(usable, SecretShape.AuthTokenProblem(value) is null);

    [Theory]
    [InlineData("AbCdEf0123456789AbCdEf0123456789", true)]
    [InlineData("AbCdEf0123456789AbCdEf012345678-", false)]
    [InlineData("@Microsoft.KeyVault(VaultName=kv;SecretName=twilio-api-key-secret-AC1)", false)]
    public void ApiKeySecret_IsUsableOnlyAs32LettersOrDigits(string value, bool usable) =>
        Assert.Equal(usable, SecretShape.ApiKeySecretProblem(value) is null);

    [Theory]
    [InlineData("k3y-with_32+visible~ascii/chars!!", true)]
    [InlineData("short-key", false)]
    [InlineData("a key with spaces that is long enough to pass", false)]
    [InlineData("@Microsoft.KeyVault(VaultName=kv;SecretName=rta-secret-AC00000000000000000000000000000001)", false)]
    [InlineData("replace-with-the-admin-read-key-of-32-or-more-characters", false)] // the sample file's placeholders are public
    [InlineData("Replace-With-a-long-random-secret-for-this-account", false)]
    public void Keys_NeedThirtyTwoVisibleCharactersAndNoReference(string value, bool usable) =>
        Assert.Equal(usable, SecretShape.KeyProblem(value) is null);

    [Fact]
    public void Problems_NameTheSettingNeverTheValue()
    {
        const string literal = "@Microsoft.KeyVault(VaultName=kv-secret-name;SecretName=twilio-auth-token)";
        var account = new AccountOptions { AuthToken = literal, RtaSecret = "too-short", WallboardKey = literal, ApiKeySid = "SK" + new string('1', 32), ApiKeySecret = literal };

        var problems = account.Problems("AC" + new string('1', 32)).ToList();

        Assert.Equal(
            ["AuthToken", "ApiKeySecret", "RtaSecret", "WallboardKey"],
            problems.Select(p => p.Setting.Split(':')[^1]));
        Assert.All(problems, p => Assert.StartsWith("Insights:Accounts:AC1111", p.Setting, StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain("kv-secret-name", p.ToString(), StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain("too-short", p.ToString(), StringComparison.Ordinal));
        Assert.True(problems[0].AccountDisabled);
        Assert.All(problems.Skip(1), p => Assert.False(p.AccountDisabled));
        Assert.Null(account.UsableAuthToken);
        Assert.Null(account.UsableRtaSecret);
        Assert.Null(account.UsableWallboardKey);
        Assert.Null(account.UsableApiKeySecret);
    }
}
