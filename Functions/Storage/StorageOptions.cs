using InsightsFunctions.Configuration;
using Microsoft.Extensions.Options;

namespace InsightsFunctions.Storage;

/// <summary><c>Insights:Storage</c>: Tables and Blobs by connection string (Azurite by default) or by service URI with the app's identity.</summary>
public sealed class StorageOptions
{
    public const string Section = "Insights:Storage";

    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";
    public string? TableServiceUri { get; set; }
    public string? BlobServiceUri { get; set; }

    /// <summary>Each service needs its URI or the connection string; a URI is an absolute http(s) URL.</summary>
    public sealed class Validator : IValidateOptions<StorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, StorageOptions options) => new SettingRules(Section)
            .HttpUri(options.TableServiceUri, nameof(TableServiceUri))
            .HttpUri(options.BlobServiceUri, nameof(BlobServiceUri))
            .Require(!string.IsNullOrWhiteSpace(options.ConnectionString) || (!string.IsNullOrWhiteSpace(options.TableServiceUri) && !string.IsNullOrWhiteSpace(options.BlobServiceUri)),
                nameof(ConnectionString), "is required unless both TableServiceUri and BlobServiceUri are set.")
            .Result;
    }
}
