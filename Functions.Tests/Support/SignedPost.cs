using InsightsFunctions.Cli.Simulation;

namespace InsightsFunctions.Tests.Support;

public static class SignedPost
{
    public const string Path = "/api/taskrouter/events";

    /// <summary>A form POST signed as Twilio would sign it for <paramref name="signedUrl"/>.</summary>
    public static HttpRequestMessage Create(IReadOnlyDictionary<string, string> form, string authToken = TestSids.AuthToken, string? signedUrl = null, string path = Path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioRequestSigner.Sign(authToken, signedUrl ?? LocalTestHost.BaseUrl + path, form));
        return request;
    }
}
