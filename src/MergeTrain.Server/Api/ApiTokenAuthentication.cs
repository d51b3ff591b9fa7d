using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Trains.Commands;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Api;

/// <summary>
/// Authenticates API calls as GitLab does: a token in <c>PRIVATE-TOKEN</c> or
/// <c>Authorization: Bearer</c>, matched in constant time against <c>MergeTrain:ApiTokens</c>.
/// Never from a cookie: browsers get a dashboard session instead (<c>DashboardSessionAuthentication</c>),
/// which the API does not accept, so a cookie a browser sends along can never call the API.
/// </summary>
public sealed class ApiTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<MergeTrainOptions> options) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiToken";

    /// <summary>The policy that operator actions require.</summary>
    public const string AdminPolicy = "admin";

    /// <inheritdoc/>
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedToken(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var match = Match(options.Value, presented);
        if (match is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("unknown token"));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, match.Name), new Claim(ClaimTypes.Role, match.Role.ToLowerInvariant())], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <inheritdoc/>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => ChallengeAsync(Response);

    /// <inheritdoc/>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => ForbidAsync(Response);

    /// <summary>GitLab's 401 answer, for every scheme of ours.</summary>
    internal static Task ChallengeAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status401Unauthorized;
        return response.WriteAsJsonAsync(new ApiMessage("401 Unauthorized"));
    }

    /// <summary>GitLab's 403 answer, for every scheme of ours.</summary>
    internal static Task ForbidAsync(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status403Forbidden;
        return response.WriteAsJsonAsync(new ApiMessage("403 Forbidden"));
    }

    /// <summary>Compares two secrets in time that does not depend on where they differ.</summary>
    public static bool SameSecret(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    /// <summary>The configured token equal to <paramref name="presented"/>, or null.</summary>
    public static ApiTokenOptions? Match(MergeTrainOptions options, string presented)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ApiTokens.FirstOrDefault(t => t.Token.Length > 0 && SameSecret(t.Token, presented));
    }

    /// <summary>Whether the request carries a token in a header (right or wrong).</summary>
    public static bool PresentsToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PresentedToken(request) is not null;
    }

    private static string? PresentedToken(HttpRequest request)
    {
        if (request.Headers.TryGetValue("PRIVATE-TOKEN", out var privateToken) && !string.IsNullOrEmpty(privateToken))
        {
            return privateToken.ToString();
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return null;
    }
}
