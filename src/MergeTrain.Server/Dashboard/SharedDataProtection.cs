using MergeTrain.Application.Database;
using MergeTrain.Application.Mediation;
using MergeTrain.Postgres.Sessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// ASP.NET Data Protection with its key ring in the database (<see cref="DataProtectionKeyStore"/>)
/// and one application name, so that every instance on one database reads the session cookies and
/// antiforgery tokens of the others (docs/adr/0008-dashboard-sessions-and-shared-data-protection-keys.md).
/// </summary>
internal static class SharedDataProtection
{
    /// <summary>Registers Data Protection, the antiforgery built on it and the session cookie.</summary>
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services)
    {
        // By default the name is the content root, which differs between installations: keys would not be shared.
        services.AddDataProtection().SetApplicationName("MergeTrain");
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseReadiness>((options, readiness) =>
            options.XmlRepository = new DataProtectionKeyStore(() => readiness.DataSource ?? throw new DatabaseNotReadyException()));

        // Hangfire's dashboard checks the antiforgery token of every action once the service exists; so do the login forms.
        services.AddAntiforgery(options =>
        {
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.SuppressXFrameOptionsHeader = true;
        });
        services.AddSingleton<DashboardSessionCookie>();
        return services;
    }

    /// <summary>
    /// Data Protection loads its key ring while the host starts, before the database is ready:
    /// that load could only fail and log an error. The ring is loaded at its first use instead, by
    /// pages that answer 503 until the database is ready. Call after every other registration:
    /// authentication and antiforgery add Data Protection (and this preload) again.
    /// </summary>
    public static IServiceCollection SkipKeyRingPreload(this IServiceCollection services)
    {
        var preloads = services.Where(service => service.ServiceType == typeof(IHostedService) && service.ImplementationType?.Name == "DataProtectionHostedService").ToList();
        foreach (var preload in preloads)
        {
            services.Remove(preload);
        }

        return services;
    }
}
