using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MergeTrain.FakeGitLab.Api;

/// <summary>Records every <c>/api/v4</c> request and rejects those without a valid token, as GitLab does.</summary>
internal static class ApiMiddleware
{
    private const string BodyKey = "fake-gitlab.body";

    public static string BodyOf(HttpContext context) => context.Items[BodyKey] as string ?? "";

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next, FakeGitLab fake)
    {
        if (!context.Request.Path.StartsWithSegments("/api/v4", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true))
        {
            context.Items[BodyKey] = await reader.ReadToEndAsync(context.RequestAborted);
        }

        context.Request.Body.Position = 0;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        try
        {
            if (IsAuthorized(context.Request, fake.Tokens))
            {
                await next(context);
            }
            else
            {
                await ApiResults.Message(StatusCodes.Status401Unauthorized, "401 Unauthorized").ExecuteAsync(context);
            }
        }
        finally
        {
            fake.Store.AddRequest(new RecordedRequest(
                context.Request.Method, path, context.Request.QueryString.Value ?? "", BodyOf(context), context.Response.StatusCode, fake.Now));
        }
    }

    private static bool IsAuthorized(HttpRequest request, IReadOnlyList<string> tokens)
    {
        string? given = request.Headers["PRIVATE-TOKEN"].FirstOrDefault();
        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (string.IsNullOrEmpty(given) && authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            given = authorization["Bearer ".Length..].Trim();
        }

        if (string.IsNullOrEmpty(given))
        {
            return false;
        }

        var givenBytes = Encoding.UTF8.GetBytes(given);

        return tokens.Any(token => CryptographicOperations.FixedTimeEquals(givenBytes, Encoding.UTF8.GetBytes(token)));
    }
}
