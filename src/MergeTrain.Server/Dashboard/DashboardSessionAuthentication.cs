using System.Security.Claims;
using System.Text.Encodings.Web;
using MergeTrain.Application.Configuration;
using MergeTrain.Application.Database;
using MergeTrain.Application.Mediation;
using MergeTrain.Postgres.Sessions;
using MergeTrain.Server.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// Authenticates a browser on the dashboard by its session cookie (<see cref="DashboardSessionCookie"/>):
/// the session must exist in the database, not have expired, and its token must still be
/// configured with the same name and role. The cookie means nothing to the API: only dashboard
/// addresses are authenticated this way (<see cref="Serves"/>).
/// </summary>
internal sealed class DashboardSessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<MergeTrainOptions> options,
    DashboardSessionCookie cookie,
    DatabaseReadiness readiness,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "DashboardSession";

    /// <summary>
    /// Whether a request is the session's to authenticate: one to the dashboard or its login form
    /// that presents no API token. A token in a header wins, as scripts of the dashboard expect.
    /// </summary>
    public static bool Serves(HttpRequest request) =>
        HangfireDashboard.IsDashboardAddress(request.Path) && !ApiTokenAuthentication.PresentsToken(request);

    /// <inheritdoc/>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.ContainsKey(DashboardSessionCookie.Name))
        {
            return AuthenticateResult.NoResult();
        }

        // The key ring that reads the cookie lives in the database: nothing to say before it is ready.
        var dataSource = readiness.DataSource ?? throw new DatabaseNotReadyException();
        if (cookie.Read(Request) is not { } id)
        {
            return AuthenticateResult.Fail("unreadable session cookie");
        }

        DashboardSessionRecord? session;
        await using (var connection = await dataSource.OpenConnectionAsync(Context.RequestAborted))
        {
            session = await DashboardSessionStore.FindAsync(connection, id, clock.GetUtcNow(), Context.RequestAborted);
        }

        if (session is null)
        {
            return AuthenticateResult.Fail("no such session, or it expired");
        }

        // A token taken out of the configuration (or given another role) takes its sessions with it.
        if (!options.Value.ApiTokens.Any(t => t.Token.Length > 0 && t.Name == session.TokenName && t.Role.Equals(session.Role, StringComparison.OrdinalIgnoreCase)))
        {
            return AuthenticateResult.Fail("the session's token is no longer configured");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, session.TokenName), new Claim(ClaimTypes.Role, session.Role.ToLowerInvariant())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <inheritdoc/>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => ApiTokenAuthentication.ChallengeAsync(Response);

    /// <inheritdoc/>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => ApiTokenAuthentication.ForbidAsync(Response);
}
