using System.Globalization;
using System.Text.RegularExpressions;
using MergeTrain.Application.Trains.Commands;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// The Trains page's actions inside Hangfire's dashboard: pause, resume, remove a car, merge a car
/// immediately. They arrive as Hangfire's own actions do (a POST from a <c>data-ajax</c> button,
/// with the antiforgery header Hangfire's middleware checks before they get here), are refused
/// unless the dashboard is writable for the user (<c>IsReadOnlyFunc</c>: admins only), and are
/// carried out by the API's MediatR commands.
/// </summary>
internal static class TrainCommands
{
    private const string Train = "/trains/(?<project>[0-9]+)";
    private const string Car = Train + "/cars/(?<iid>[0-9]+)";

    /// <summary>Adds the actions to Hangfire's routes.</summary>
    public static void Register(Hangfire.Dashboard.RouteCollection routes)
    {
        routes.Add(Train + "/pause", new DashboardCommand((match, branch, actor) =>
            branch is null ? null : new OperateTrain(Project(match), branch, TrainOperation.Pause, null, actor)));
        routes.Add(Train + "/resume", new DashboardCommand((match, branch, actor) =>
            branch is null ? null : new OperateTrain(Project(match), branch, TrainOperation.Resume, null, actor)));
        routes.Add(Car + "/remove", new DashboardCommand((match, _, actor) =>
            Iid(match) is { } iid ? new RemoveFromTrain(Project(match), iid, actor) : null));
        routes.Add(Car + "/merge-immediately", new DashboardCommand((match, branch, actor) =>
            branch is not null && Iid(match) is { } iid ? new OperateTrain(Project(match), branch, TrainOperation.MergeImmediately, iid, actor) : null));
        routes.Add(Car + "/merge-immediately-keeping-train", new DashboardCommand((match, branch, actor) =>
            branch is not null && Iid(match) is { } iid ? new OperateTrain(Project(match), branch, TrainOperation.MergeImmediately, iid, actor) { RestartTrain = "false" } : null));
    }

    /// <summary>Where the pause action of a train is, under the dashboard.</summary>
    public static string PausePath(long projectId, string branch) => $"/trains/{projectId}/pause?branch={Uri.EscapeDataString(branch)}";

    /// <summary>Where the resume action of a train is.</summary>
    public static string ResumePath(long projectId, string branch) => $"/trains/{projectId}/resume?branch={Uri.EscapeDataString(branch)}";

    /// <summary>Where the action removing a car is.</summary>
    public static string RemovePath(long projectId, int iid) => $"/trains/{projectId}/cars/{iid}/remove";

    /// <summary>Where the action merging a car immediately is.</summary>
    public static string MergeImmediatelyPath(long projectId, string branch, int iid) =>
        $"/trains/{projectId}/cars/{iid}/merge-immediately?branch={Uri.EscapeDataString(branch)}";

    /// <summary>Where the action merging a car immediately and keeping the train is.</summary>
    public static string MergeImmediatelyKeepingTrainPath(long projectId, string branch, int iid) =>
        $"/trains/{projectId}/cars/{iid}/merge-immediately-keeping-train?branch={Uri.EscapeDataString(branch)}";

    private static string Project(Match match) => match.Groups["project"].Value;

    private static int? Iid(Match match) =>
        int.TryParse(match.Groups["iid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var iid) && iid > 0 ? iid : null;
}
