namespace MergeTrain.Server.Dashboard;

/// <summary>The <c>MergeTrain:Dashboard</c> section: browser sessions and the login form.</summary>
public sealed class DashboardSessionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "MergeTrain:Dashboard";

    /// <summary>How long a login lasts, counted from the login (not renewed by use).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How many login attempts one client address may make per minute; more are answered 429.</summary>
    public int LoginAttemptsPerMinute { get; set; } = 10;
}
