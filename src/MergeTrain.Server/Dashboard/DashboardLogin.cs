using MergeTrain.Server.Api;
using MergeTrain.Server.Configuration;
using MergeTrain.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// How a browser logs in to the dashboard: a form that takes an API token and keeps it in the
/// login cookie <see cref="ApiTokenAuthentication"/> reads (HttpOnly, SameSite=Strict; another
/// issue replaces it with server-side sessions). The forms carry an antiforgery token, so another
/// site cannot log a browser in or out.
/// </summary>
internal static class DashboardLogin
{
    /// <summary>Where the form is.</summary>
    public const string Path = "/login";

    private const string LogoutPath = "/logout";

    /// <summary>Maps the form, logging in and logging out.</summary>
    public static IEndpointRouteBuilder MapDashboardLogin(this IEndpointRouteBuilder endpoints)
    {
        var login = endpoints.MapGroup("").AllowAnonymous().ExcludeFromDescription();
        login.MapGet(Path, (HttpContext context, string? returnUrl) => Form(context, Local(returnUrl), failed: false));
        login.MapPost(Path, LoginAsync);
        login.MapPost(LogoutPath, LogoutAsync);
        return endpoints;
    }

    /// <summary>The form's address, coming back to <paramref name="returnUrl"/> once logged in.</summary>
    public static string PathReturningTo(string returnUrl) => $"{Path}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    private static async Task<IResult> LoginAsync(HttpContext context, IAntiforgery antiforgery, IOptions<MergeTrainOptions> options)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest("The form expired; load the login page again.");
        }

        var form = await context.Request.ReadFormAsync();
        var returnUrl = Local(form["returnUrl"].FirstOrDefault());
        var token = form["token"].FirstOrDefault() ?? "";
        if (ApiTokenAuthentication.Match(options.Value, token) is null)
        {
            return Form(context, returnUrl, failed: true);
        }

        context.Response.Cookies.Append(ApiTokenAuthentication.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromDays(7),
        });
        return Results.Redirect(returnUrl);
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest("The form expired; load the login page again.");
        }

        context.Response.Cookies.Delete(ApiTokenAuthentication.CookieName, new CookieOptions { Path = "/" });
        return Results.Redirect(Path);
    }

    private static IResult Form(HttpContext context, string returnUrl, bool failed)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name : null;
        var page = new LoginPage(returnUrl, failed, tokens.FormFieldName, tokens.RequestToken ?? "", user);
        return Results.Content(page.ToString(), "text/html; charset=utf-8", statusCode: failed ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK);
    }

    // Only back into the dashboard: a return address elsewhere would make the form an open redirect.
    private static string Local(string? returnUrl) =>
        returnUrl is not null && (returnUrl == HangfireDashboard.Path || returnUrl.StartsWith(HangfireDashboard.Path + "/", StringComparison.Ordinal))
            ? returnUrl
            : HangfireDashboard.Path;
}
