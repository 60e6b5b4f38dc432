using System.Diagnostics;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// A fake <c>az</c> (and <c>curl</c>) for scripts/azure-postdeploy.sh, answering from files in a temporary state folder:
/// a Key Vault (<c>vault/{name}</c> holds a secret's value, <c>vault/names</c> the names), the app settings' names
/// (<c>settings</c>), and the functions' keys (<c>keys/{function}/{key}</c>, written by <c>az rest</c> PUTs). Every other
/// external command the script runs goes through a shim that records its arguments and runs the real one, so
/// <see cref="CommandLines"/> is every process command line the script started: what any local user could have read
/// from the process list while it ran.
/// </summary>
public sealed class FakeAzureCli : IDisposable
{
    public const string SiteId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers/Microsoft.Web/sites/func-test";

    /// <summary>The external commands scripts/azure-postdeploy.sh runs besides az and curl.</summary>
    private static readonly string[] Shimmed = ["openssl", "tr", "grep", "mktemp", "rm", "seq", "sleep", "cat"];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("insights-postdeploy-");

    public FakeAzureCli()
    {
        var bin = Directory.CreateDirectory(State("bin")).FullName;
        Directory.CreateDirectory(State("vault"));
        Directory.CreateDirectory(State("keys"));
        Write(Path.Combine(bin, "az"), $$"""
            #!/bin/bash
            export PATH=/usr/bin:/bin
            state="{{_dir.FullName}}"
            printf '%s\n' "az $*" >> "$state/argv.log"
            arg() { local want="$1"; shift; while [ $# -gt 0 ]; do if [ "$1" = "$want" ]; then printf '%s' "$2"; return; fi; shift; done; }
            case "$1 $2" in
              "keyvault secret")
                case "$3" in
                  list) cat "$state/vault/names" 2>/dev/null || true ;;
                  show) cat "$state/vault/$(arg --name "$@")" ;;
                  set)
                    name="$(arg --name "$@")"
                    file="$(arg --file "$@")"
                    [ -n "$file" ] || { echo "az keyvault secret set without --file" >&2; exit 9; }
                    stat -c '%a' "$file" >> "$state/file-modes.log"
                    cp "$file" "$state/vault/$name"
                    echo "$name" >> "$state/vault/names" ;;
                esac ;;
              "functionapp show") echo "{{SiteId}}" ;;
              "functionapp config") cat "$state/settings" 2>/dev/null || true ;;
              "functionapp function")
                key="$(arg --query "$@")"; key="${key//\"/}"
                cat "$state/keys/$(arg --function-name "$@")/$key" 2>/dev/null || true ;;
              "rest "*)
                url="$(arg --url "$@")"
                file="$(arg --body "$@")"; file="${file#@}"
                stat -c '%a' "$file" >> "$state/file-modes.log"
                function="${url#*/functions/}"; function="${function%%/*}"
                key="${url#*/keys/}"; key="${key%%\?*}"
                mkdir -p "$state/keys/$function"
                sed -n 's/.*"value":"\([^"]*\)".*/\1/p' "$file" | tr -d '\n' > "$state/keys/$function/$key" ;;
            esac
            exit 0
            """);
        Write(Path.Combine(bin, "curl"), $"#!/bin/bash\nprintf '%s\\n' \"curl $*\" >> \"{_dir.FullName}/argv.log\"\nexit $(/bin/cat \"{_dir.FullName}/curl_rc\" 2>/dev/null || echo 0)\n");
        foreach (var tool in Shimmed)
        {
            var real = new[] { "/usr/bin", "/bin" }.Select(d => Path.Combine(d, tool)).First(File.Exists);
            Write(Path.Combine(bin, tool), $"#!/bin/bash\nprintf '%s\\n' \"{tool} $*\" >> \"{_dir.FullName}/argv.log\"\nexec {real} \"$@\"\n");
        }
    }

    public string State(string name) => Path.Combine(_dir.FullName, name);

    /// <summary>Names of app settings the fake app has (one per line, as <c>az … --query [].name -o tsv</c> prints them).</summary>
    public void Settings(params string[] names) => File.WriteAllText(State("settings"), string.Join("\n", names) + "\n");

    /// <summary>A secret already in the vault.</summary>
    public void Secret(string name, string value)
    {
        File.WriteAllText(State($"vault/{name}"), value);
        File.AppendAllText(State("vault/names"), name + "\n");
    }

    public void Unhealthy() => File.WriteAllText(State("curl_rc"), "22");

    /// <summary>Every command line the script started (az, curl and the shimmed tools), in order.</summary>
    public string[] CommandLines => File.Exists(State("argv.log")) ? File.ReadAllLines(State("argv.log")) : [];

    public string[] AzCalls => [.. CommandLines.Where(c => c.StartsWith("az ", StringComparison.Ordinal)).Select(c => c[3..])];

    /// <summary>Every secret value in the vault, by name.</summary>
    public IReadOnlyDictionary<string, string> Vault =>
        Directory.GetFiles(State("vault")).Where(f => Path.GetFileName(f) != "names").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

    /// <summary>The value of a function's key, as set by the script.</summary>
    public string? FunctionKey(string function, string key) => File.Exists(State($"keys/{function}/{key}")) ? File.ReadAllText(State($"keys/{function}/{key}")) : null;

    /// <summary>The keys set on each function (function/key).</summary>
    public IReadOnlyList<string> FunctionKeys =>
        [.. Directory.GetDirectories(State("keys")).SelectMany(d => Directory.GetFiles(d).Select(f => $"{Path.GetFileName(d)}/{Path.GetFileName(f)}")).Order(StringComparer.Ordinal)];

    /// <summary>The permissions (octal) of every file az read a secret from.</summary>
    public string[] SecretFileModes => File.Exists(State("file-modes.log")) ? File.ReadAllLines(State("file-modes.log")) : [];

    public async Task<(int ExitCode, string Output)> RunPostDeployAsync()
    {
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryFiles.Path("scripts/azure-postdeploy.sh"));
        // Only the fakes and the shims: the script can start nothing that is not recorded.
        start.Environment["PATH"] = State("bin");
        start.Environment["AZURE_RESOURCE_GROUP"] = "rg-test";
        start.Environment["AZURE_FUNCTION_APP_NAME"] = "func-test";
        start.Environment["AZURE_KEY_VAULT_NAME"] = "kv-test";
        start.Environment["TASKROUTER_CALLBACK_URL"] = "https://func-test.example.net/api/taskrouter/events";
        start.Environment["RTA_FEED_URL"] = "https://func-test.example.net/api/rta/events";
        start.Environment["INSIGHTS_HEALTH_ATTEMPTS"] = "2";
        start.Environment["INSIGHTS_HEALTH_DELAY_SECONDS"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private static void Write(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
