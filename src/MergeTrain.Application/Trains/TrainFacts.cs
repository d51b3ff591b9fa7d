using MergeTrain.Core.Trains;
using MergeTrain.GitLab.Api;
using MergeTrain.Postgres.Api;
using Npgsql;

namespace MergeTrain.Application.Trains;

/// <summary>Turns what GitLab says about an MR into the engine's snapshot, and remembers it for the API.</summary>
public static class TrainFacts
{
    /// <summary>The engine's view of <paramref name="mergeRequest"/>, with the merge check it fails, if any.</summary>
    public static MergeRequestSnapshot Snapshot(GitLabMergeRequest mergeRequest)
    {
        ArgumentNullException.ThrowIfNull(mergeRequest);
        return new MergeRequestSnapshot(
            mergeRequest.Iid, mergeRequest.Title, mergeRequest.SourceBranch, mergeRequest.TargetBranch, mergeRequest.Sha, mergeRequest.Draft,
            mergeRequest.State switch
            {
                "opened" => MergeRequestState.Opened,
                "merged" => MergeRequestState.Merged,
                "locked" => MergeRequestState.Opened,
                _ => MergeRequestState.Closed,
            })
        {
            FailedCheck = MergeCheck.Of(mergeRequest.DetailedMergeStatus, mergeRequest.HasConflicts, mergeRequest.BlockingDiscussionsResolved),
        };
    }

    /// <summary>Remembers the MR and its author for the API's car objects.</summary>
    public static async Task RememberAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, GitLabMergeRequest mergeRequest, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(mergeRequest);
        await CarQueries.RememberMergeRequestAsync(connection, transaction, new MergeRequestRecord(
            mergeRequest.ProjectId, mergeRequest.Iid, mergeRequest.Id, mergeRequest.Title, mergeRequest.Description,
            mergeRequest.State, mergeRequest.WebUrl, mergeRequest.CreatedAt, mergeRequest.UpdatedAt), now);
        if (mergeRequest.Author is { } author)
        {
            await CarQueries.RememberUserAsync(connection, transaction, new GitLabUserRecord(author.Username, author.Id, author.Name, author.State, author.AvatarUrl, author.WebUrl), now);
        }
    }
}
