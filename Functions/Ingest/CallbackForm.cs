using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.WebUtilities;

namespace InsightsFunctions.Ingest;

/// <summary>
/// A form callback's body as fields, with its limits checked here rather than left to <see cref="FormReader"/>'s own
/// (which throw <see cref="InvalidDataException"/>, a 500 before any signature check): UTF-8 (400), at most
/// <see cref="MaxFields"/> fields and keys of at most <see cref="MaxKeyLength"/> characters (413, README "HTTP contract").
/// A TaskRouter callback has about forty short keys, so the limits (ASP.NET Core's form defaults) only stop abuse.
/// </summary>
public static class CallbackForm
{
    public const int MaxFields = 1024;
    public const int MaxKeyLength = 2048;

    /// <summary>The fields (a repeated key's values comma-joined, as Twilio's validator joins them), or the rejection.</summary>
    public static (Dictionary<string, string> Form, IngestResponse? Rejection) Parse(byte[] body)
    {
        if (!Utf8.IsValid(body))
        {
            return ([], IngestResponse.BadRequest("Body is not valid UTF-8.", "body"));
        }
        // The library's limits are lifted so that it never throws; the body is already bounded by MaxBodyBytes.
        using var reader = new FormReader(Encoding.UTF8.GetString(body))
        {
            ValueCountLimit = int.MaxValue,
            KeyLengthLimit = int.MaxValue,
            ValueLengthLimit = int.MaxValue,
        };
        var fields = new KeyValueAccumulator();
        while (reader.ReadNextPair() is { } pair)
        {
            if (fields.ValueCount == MaxFields)
            {
                return ([], IngestResponse.TooLarge($"Form has more than {MaxFields} fields.", "body"));
            }
            if (pair.Key.Length > MaxKeyLength)
            {
                return ([], IngestResponse.TooLarge($"A form key is longer than {MaxKeyLength} characters.", "body"));
            }
            fields.Append(pair.Key, pair.Value);
        }
        var form = new Dictionary<string, string>(fields.KeyCount, StringComparer.Ordinal);
        foreach (var (key, values) in fields.GetResults())
        {
            form[key] = values.ToString();
        }
        return (form, null);
    }
}
