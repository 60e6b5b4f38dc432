using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using InsightsFunctions.Configuration;
using Twilio.Base;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest;
using Twilio.Rest.Taskrouter.V1.Workspace;

namespace InsightsFunctions.Backfill;

/// <summary>
/// The Events API through the Twilio package: its REST client (authentication, user agent, error parsing) and its
/// <see cref="EventResource"/> pages (<c>Page&lt;EventResource&gt;.FromJson</c>, <c>GetNextPageUrl</c>, which follow
/// <c>meta.next_page_url</c> as Twilio asks). Pages are requested one by one so progress can be saved per page.
/// </summary>
public sealed class TwilioEventHistory(ITwilioRestClient client) : IEventHistory
{
    public string FirstPageUrl(EventHistoryQuery query)
    {
        var url = $"https://taskrouter.twilio.com/v1/Workspaces/{Uri.EscapeDataString(query.WorkspaceSid)}/Events"
            + $"?StartDate={Uri.EscapeDataString(Iso(query.From))}&EndDate={Uri.EscapeDataString(Iso(query.To))}&PageSize={query.PageSize.ToString(CultureInfo.InvariantCulture)}";
        return query.EventType is null ? url : url + $"&EventType={Uri.EscapeDataString(query.EventType)}";
    }

    public async Task<EventHistoryPage> ReadPageAsync(string pageUrl, CancellationToken cancellationToken)
    {
        Response response;
        try
        {
            response = await client.RequestAsync(new Request(Twilio.Http.HttpMethod.Get, pageUrl)).WaitAsync(cancellationToken);
        }
        catch (ApiException ex) when (ex.Status == 429 || ex.Status >= 500)
        {
            throw new EventHistoryThrottledException($"The Events API answered {ex.Status}", null, ex);
        }
        catch (ApiException ex)
        {
            throw new EventHistoryException($"The Events API refused the request: {ex.Status} {ex.Code} {ex.Message}", ex);
        }
        catch (ApiConnectionException ex)
        {
            throw new EventHistoryThrottledException("The Events API could not be reached", null, ex);
        }
        if (response.StatusCode == (HttpStatusCode)429 || (int)response.StatusCode >= 500)
        {
            throw new EventHistoryThrottledException($"The Events API answered {(int)response.StatusCode}", RetryAfter(response));
        }
        if ((int)response.StatusCode >= 400)
        {
            throw new EventHistoryException($"The Events API refused the request: {(int)response.StatusCode}");
        }
        var page = Page<EventResource>.FromJson("events", response.Content);
        var events = page.Records.Select(ToHistorical).ToList();
        return new EventHistoryPage(events, page.HasNextPage() ? page.GetNextPageUrl(Domain.Taskrouter) : null);
    }

    internal static HistoricalEvent ToHistorical(EventResource e) => new(
        e.Sid, e.AccountSid, e.WorkspaceSid, e.EventType, e.EventDateMs ?? (e.EventDate is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)).ToUnixTimeMilliseconds() : null),
        e.ResourceType, e.ResourceSid,
        e.EventData is null ? null : JsonNode.Parse(Newtonsoft.Json.JsonConvert.SerializeObject(e.EventData)) as JsonObject);

    private static TimeSpan? RetryAfter(Response response) =>
        response.Headers?.RetryAfter?.Delta ?? (response.Headers?.RetryAfter?.Date is { } at ? at - DateTimeOffset.UtcNow : null);

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

/// <summary>
/// The REST client of an account: an API key and secret when configured, else the account's auth token. The
/// HTTP client is shared (and replaceable in tests, which point it at a local fake of the API).
/// </summary>
public sealed class TwilioEventHistoryFactory(System.Net.Http.HttpClient http) : IEventHistoryFactory
{
    public IEventHistory For(string accountSid, AccountOptions account)
    {
        // An API key whose secret is not usable (an unresolved Key Vault reference) is an error, never a silent switch
        // to the auth token: the operator chose the key, and a wrong secret must show (fail closed).
        var (user, password) = account.ApiKeySid is { Length: > 0 } keySid
            ? (keySid, account.UsableApiKeySecret ?? throw new EventHistoryException($"Account {accountSid}: Insights:Accounts:{accountSid}:ApiKeySecret {SecretShape.ApiKeySecretProblem(account.ApiKeySecret)}."))
            : (accountSid, account.UsableAuthToken ?? throw new EventHistoryException($"Account {accountSid}: Insights:Accounts:{accountSid}:AuthToken {SecretShape.AuthTokenProblem(account.AuthToken)}."));
        return new TwilioEventHistory(new TwilioRestClient(user, password, accountSid, httpClient: new SystemNetHttpClient(http)));
    }
}
