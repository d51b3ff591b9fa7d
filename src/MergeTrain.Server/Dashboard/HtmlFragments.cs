using System.Globalization;
using MergeTrain.Core.Trains;

namespace MergeTrain.Server.Dashboard;

/// <summary>Small pieces that several dashboard pages write: commits, times, durations, links.</summary>
internal static class HtmlFragments
{
    /// <summary>A commit, shortened as GitLab shows it, with the full SHA on hover; a dash for none.</summary>
    public static void Sha(this IHtmlOutput output, string? sha)
    {
        if (string.IsNullOrEmpty(sha))
        {
            output.Markup("<span class=\"text-muted\">–</span>");
            return;
        }

        output.Markup("<code title=\"");
        output.Text(sha);
        output.Markup("\">");
        output.Text(sha.Length > 8 ? sha[..8] : sha);
        output.Markup("</code>");
    }

    /// <summary>A moment as "3 min ago", with the exact UTC time on hover.</summary>
    public static void Time(this IHtmlOutput output, DateTimeOffset at, DateTimeOffset now)
    {
        output.Markup("<time datetime=\"");
        output.Text(at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        output.Markup("\" title=\"");
        output.Text(Utc(at));
        output.Markup("\">");
        output.Text(now - at < TimeSpan.FromSeconds(1) ? "just now" : Duration(now - at) + " ago");
        output.Markup("</time>");
    }

    /// <summary>A link, when <paramref name="href"/> is a web address; the text alone otherwise (never a <c>javascript:</c> link).</summary>
    public static void ExternalLink(this IHtmlOutput output, string? href, string text)
    {
        if (Uri.TryCreate(href, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            output.Markup("<a href=\"");
            output.Text(uri.AbsoluteUri);
            output.Markup("\" target=\"_blank\" rel=\"noopener noreferrer\">");
            output.Text(text);
            output.Markup("</a>");
            return;
        }

        output.Text(text);
    }

    /// <summary>A link inside the dashboard; <paramref name="href"/> is built by the page, its text comes from data.</summary>
    public static void Link(this IHtmlOutput output, string href, string text)
    {
        output.Markup("<a href=\"");
        output.Text(href);
        output.Markup("\">");
        output.Text(text);
        output.Markup("</a>");
    }

    /// <summary>A pipeline: its number, linking to it in GitLab, and its status.</summary>
    public static void Pipeline(this IHtmlOutput output, PipelineSnapshot pipeline)
    {
        output.ExternalLink(pipeline.WebUrl, $"#{pipeline.Id}");
        output.Markup(" ");
        output.StatusLabel(pipeline.Status.ToGitLabName());
    }

    /// <summary>A coloured label for a status name (<c>mt-label-fresh</c>, <c>mt-label-failed</c>, …).</summary>
    public static void StatusLabel(this IHtmlOutput output, string status)
    {
        output.Markup("<span class=\"label mt-label mt-label-");
        output.Text(status);
        output.Markup("\">");
        output.Text(status);
        output.Markup("</span>");
    }

    /// <summary>How a car stands or ended, as three table cells' content: its status, why, and its last pipeline.</summary>
    public static void Outcome(this IHtmlOutput output, Car car)
    {
        output.StatusLabel(car.Status.ToGitLabName());
        output.Markup("</td><td>");
        output.Text(Why(car));
        output.Markup("</td><td>");
        if (car.Pipeline is { } pipeline)
        {
            output.Pipeline(pipeline);
        }
    }

    /// <summary>Why a car ended as it did: its drop reason and the engine's account.</summary>
    private static string? Why(Car car) => car.DropReason is { } reason ? $"{reason.ToGitLabName()}: {car.Detail}" : car.Detail;

    /// <summary>A span of time as people say it: 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h.</summary>
    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 0 => "0 s",
        < 60 => $"{span.TotalSeconds:0} s",
        < 3600 => $"{(int)span.TotalMinutes} min {span.Seconds} s",
        < 86400 => $"{(int)span.TotalHours} h {span.Minutes} min",
        _ => $"{(int)span.TotalDays} d {span.Hours} h",
    };

    /// <summary>A moment in UTC, to the second.</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
