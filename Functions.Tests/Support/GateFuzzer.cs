using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using InsightsFunctions.Cli.Simulation;
using InsightsFunctions.Hosting;

namespace InsightsFunctions.Tests.Support;

/// <summary>
/// Seeded generator of requests for the two callback routes, mixing what issue 18's fuzz found and what else a client
/// controls before and while the gate parses: field counts, key lengths, raw and percent-encoded bytes, surrogates,
/// repeated keys and JSON names, AccountSid variants, forwarded headers, Content-Type parameters, methods, sizes.
/// About half of the callbacks are signed for the URL the host would resolve, so the checks after the signature run too.
/// Every client-chosen text carries <see cref="Canary"/>, so a test can assert that none reached a log.
/// </summary>
public sealed class GateFuzzer(int seed, string rtaSecret, int maxBodyBytes)
{
    public const string Canary = "CANARYphi";
    private const string X = "0123456789abcdef0123456789abcdef";

    private static readonly string[] Methods = ["POST", "POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    private static readonly string?[] ContentTypeVariants =
    [
        null, "", ";", "text/plain", "{0}; charset=utf-8", "{0}; charset=\"UTF-8\"", "{0}; charset=utf-16", "{0}; charset=", "{0};;;",
        "{0}; charset", "{0}; a=\"unterminated", "{0}; boundary=" + new string('b', 3000), "{0}, {0}", "{0}\u00e9", "{0} ; charset=us-ascii",
        "{0}/extra", "multipart/form-data; boundary=x",
    ];

    private static readonly string[] HostVariants =
    [
        "insights.example.org", "INSIGHTS.example.org:443", "evil.example", "a b", "127.1", "010.0.0.1", "[0:0::1]", "[::1]:8080", "x:99999",
        "x:-1", "x:", ":443", "user@evil.example", "evil.example/path", "evil.example?q", "evil.example#f", "b\u00fccher.example", "ex%41mple.org",
        "[", "]", "[::1", "\u0000", "\r\nX-Injected: 1", " , ,", ",insights.example.org", "insights.example.org,evil.example", "%", "..",
        "-.example", "a..b", new string('a', 300), new string('a', 64) + ".example", "\ud800", "\"quoted\"", Canary + ".example\nforged log line",
    ];

    private static readonly string[] ProtoVariants = ["https", "HTTPS", "http", "javascript", "ftp", "", " ", "https,http", "h ttps", "\u00e9", "http:", "https://", Canary];

    private readonly Random _random = new(seed);

    /// <summary>A callback for <see cref="HttpRoutes.TaskRouterEvents"/>; valid unless a category broke it.</summary>
    public FuzzRequest NextCallback()
    {
        var fields = ValidCallback();
        var category = Pick(["valid", "fields", "key", "raw", "percent", "surrogate", "repeat", "account", "forwarded", "contenttype", "method", "size", "random", "signature", "query"]);
        var rawSuffix = "";
        var query = "";
        var headers = new List<KeyValuePair<string, string>>();
        string? contentType = TwilioFormContentType;
        var method = "POST";
        switch (category)
        {
            case "fields":
                var count = Pick([1000, 1023, 1024, 1025, 1100, 2000, _random.Next(0, 3000)]);
                for (var i = fields.Count; i < count; i++)
                {
                    fields.Add(new($"F{i}", ""));
                }
                break;
            case "key":
                fields.Add(new(new string('k', Pick([2047, 2048, 2049, 4096, _random.Next(1, 5000)])), Canary));
                break;
            case "raw":
                rawSuffix = "&" + Encoding.Latin1.GetString(RandomBytes(_random.Next(1, 200)));
                break;
            case "percent":
                rawSuffix = "&" + Pick(["%", "%z", "%zz=%", "a%=b", "%00=%00", "%C0%80=%FF", "%E2%82=x", "a=%F4%90%80%80", "%%%%", "+=+", "=", "&&&", "a==b"]) + Canary;
                break;
            case "surrogate":
                rawSuffix = "&" + Pick(["a=%ED%A0%80", "%ED%B0%80=b", "a=%ED%A0%80%ED%B0%80", "a=\\ud800", "a=%F0%9F%98%80"]);
                break;
            case "repeat":
                var (key, value) = fields[_random.Next(fields.Count)];
                fields.Add(new(key, Pick([value, "", Canary])));
                break;
            case "account":
                fields.RemoveAll(f => f.Key == "AccountSid");
                foreach (var variant in Pick(AccountSidVariants()))
                {
                    fields.Add(new("AccountSid", variant));
                }
                break;
            case "forwarded":
                headers.Add(new("X-Forwarded-Host", Pick(HostVariants)));
                if (_random.Next(2) == 0)
                {
                    headers.Add(new("X-Forwarded-Proto", Pick(ProtoVariants)));
                }
                break;
            case "contenttype":
                contentType = Pick(ContentTypeVariants) is { } template ? string.Format(CultureInfo.InvariantCulture, template, TwilioFormContentType) : null;
                break;
            case "method":
                method = Pick(Methods);
                break;
            case "size":
                fields.Add(new("Padding", new string('x', maxBodyBytes + Pick([-2048, -1, 0, 1, 5000]))));
                break;
            case "signature":
                headers.Add(new("X-Twilio-Signature", Pick(["", " ", "=", new string('A', 20000), Canary, "\u00e9\u00e9"])));
                break;
            case "query":
                query = Pick(["?", "?%", "?a=%zz", "?code", "?bodySHA256", "?" + new string('q', 5000), "?%ED%A0%80", "?a=1&a=2", "?x=" + Canary]);
                break;
        }
        var body = Encoding.UTF8.GetBytes(Encode(fields) + rawSuffix);
        if (category == "random")
        {
            body = RandomBytes(_random.Next(0, 4000));
        }
        if (category != "signature" && _random.Next(2) == 0)
        {
            headers.Add(new("X-Twilio-Signature", TwilioRequestSigner.Sign(TestSids.AuthToken, LocalTestHost.BaseUrl + HttpRoutes.TaskRouterEvents + query, Joined(fields))));
        }
        return new FuzzRequest("taskrouter/" + category, method, HttpRoutes.TaskRouterEvents, query, contentType, body, headers);
    }

    /// <summary>A WFM RTA message for <see cref="HttpRoutes.RtaEvents"/>, mostly with the shared secret.</summary>
    public FuzzRequest NextRta()
    {
        var category = Pick(["valid", "surrogate", "utf8", "duplicate", "syntax", "depth", "shape", "random", "secret", "signature", "forwarded", "contenttype", "method", "size"]);
        var json = Message(Record());
        var query = $"?code={rtaSecret}";
        var headers = new List<KeyValuePair<string, string>>();
        string? contentType = "application/json";
        var method = "POST";
        byte[]? body = null;
        switch (category)
        {
            case "surrogate":
                json = Insert(json, Pick(["\"\\ud800\"", "\"\\udc00\"", "\"a\\ud83d\"", "\"\\ud83d\\ude00\"", "\"\\\\ud800\"", "\"\\ud800\\u0041\"", "\"\\ud800\\ud800\\udc00\""]), asKey: _random.Next(2) == 0);
                break;
            case "utf8":
                var bytes = Encoding.UTF8.GetBytes(json);
                var at = _random.Next(bytes.Length);
                body = [.. bytes[..at], .. Pick<byte[]>([[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]]), .. bytes[at..]];
                break;
            case "duplicate":
                json = Pick([
                    json.Replace("\"object\"", "\"object\": \"x\", \"object\"", StringComparison.Ordinal),
                    json.Replace("\"account_sid\"", $"\"account_sid\": \"{TestSids.UnknownAccount}\", \"account_sid\"", StringComparison.Ordinal),
                    json.Replace("\"sid\"", "\"sid\": 1, \"sid\"", StringComparison.Ordinal),
                    json.Replace("\"records\"", "\"records\": [], \"records\"", StringComparison.Ordinal),
                    json.Replace("\"channels\": null", "\"channels\": null, \"channels\": null", StringComparison.Ordinal),
                ]);
                break;
            case "syntax":
                json = json[.._random.Next(json.Length)] + Pick(["", "}", ",", "/* c */", "\u0000", "]]]", "\"", "\\"]);
                break;
            case "depth":
                var depth = Pick([63, 64, 65, 1000]);
                json = Insert(json, new string('[', depth) + new string(']', depth), asKey: false);
                break;
            case "shape":
                json = Insert(json, Pick(["1e999", "-0", "1" + new string('0', 400), "true", "null", "{}", "[]", "\"" + new string('s', 3000) + "\""]), asKey: false);
                break;
            case "random":
                body = RandomBytes(_random.Next(0, 3000));
                break;
            case "secret":
                query = Pick(["", "?code=", "?code=wrong", $"?code={rtaSecret}&code={rtaSecret}", "?code=%zz", $"?code={rtaSecret}%00"]);
                break;
            case "signature":
            case "forwarded":
                var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
                query += Pick([$"&bodySHA256={hash}", "&bodySHA256", "&bodySHA256=", $"&bodySHA256={hash}&bodySHA256={hash}", "&bodySHA256=zz", $"&bodySHA256={hash.ToUpperInvariant()}"]);
                var url = LocalTestHost.BaseUrl + HttpRoutes.RtaEvents + query;
                headers.Add(new("X-Twilio-Signature", Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(TestSids.AuthToken), Encoding.UTF8.GetBytes(url)))));
                if (category == "forwarded")
                {
                    headers.Add(new("X-Forwarded-Host", Pick(HostVariants)));
                    headers.Add(new("X-Forwarded-Proto", Pick(ProtoVariants)));
                }
                break;
            case "contenttype":
                contentType = Pick(ContentTypeVariants) is { } template ? string.Format(CultureInfo.InvariantCulture, template, "application/json") : null;
                break;
            case "method":
                method = Pick(Methods);
                break;
            case "size":
                json = Insert(json, "\"" + new string('p', maxBodyBytes + Pick([-2048, 0, 5000])) + "\"", asKey: false);
                break;
        }
        return new FuzzRequest("rta/" + category, method, HttpRoutes.RtaEvents, query, contentType, body ?? Encoding.UTF8.GetBytes(json), headers);
    }

    public static string TwilioFormContentType => "application/x-www-form-urlencoded";

    /// <summary>A callback the gate accepts.</summary>
    public static List<KeyValuePair<string, string>> ValidCallback()
    {
        var builder = new CallbackBuilder(TestSids.New("WT"), DateTimeOffset.Parse("2026-11-24T10:00:00Z", CultureInfo.InvariantCulture));
        builder.Task("task.created", 0);
        return [.. builder.Events[0]];
    }

    /// <summary>An RTA message the route accepts.</summary>
    public static string ValidRta() => Message(Record());

    public static string Encode(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join("&", fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    /// <summary>The fields as the gate reads them (a repeated key's values comma-joined), which is what Twilio signs.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Joined(IEnumerable<KeyValuePair<string, string>> fields) =>
        fields.GroupBy(f => f.Key, StringComparer.Ordinal).Select(g => new KeyValuePair<string, string>(g.Key, string.Join(",", g.Select(f => f.Value))));

    private static string Record() => $$"""
        {"worker": {"sid": "{{TestSids.New("WK")}}", "activity_sid": "WA{{X}}", "activity_name": "Available", "date_activity_updated": "2026-11-24T10:00:00.000Z"},
         "channels": null, "account_sid": "{{TestSids.Account}}", "workspace_sid": "WS{{X}}",
         "last_processed_event_sid": "{{TestSids.New("EV")}}", "date_last_processed_event": "2026-11-24T10:00:01.000Z"}
        """;

    private static string Message(string record) => $$"""{"product": "Flex", "object": "WFMWorkerChange", "version": 1, "records": [{{record}}]}""";

    private static string[][] AccountSidVariants() =>
    [
        [], [""], [" "], ["\t\r\n"], [TestSids.Account, TestSids.Account], [TestSids.Account, TestSids.NonHipaaAccount], [TestSids.Account.ToLowerInvariant()],
        [" " + TestSids.Account], [TestSids.Account + "\r\nforged log line " + Canary], [TestSids.UnknownAccount], ["AC" + Canary],
        [new string('A', 5000) + Canary], ["AC" + new string('\u0660', 32)], ["\u0000"], [TestSids.Account.Replace("a11", "g11", StringComparison.Ordinal)],
    ];

    /// <summary>Puts <paramref name="text"/> into the first record, as a new property's value or name.</summary>
    private string Insert(string json, string text, bool asKey)
    {
        var property = asKey ? $"{text}: 1, " : $"\"fuzz{_random.Next(1000)}\": {text}, ";
        var at = _random.Next(2) == 0 ? json.IndexOf("{\"worker\"", StringComparison.Ordinal) + 1 : 1;
        return json.Insert(at, property);
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(T[] choices) => choices[_random.Next(choices.Length)];
}
