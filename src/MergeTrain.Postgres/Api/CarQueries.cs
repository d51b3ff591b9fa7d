using Dapper;
using MergeTrain.Core.Trains;
using Npgsql;

namespace MergeTrain.Postgres.Api;

/// <summary>The reads behind the merge trains API, and the MR and user facts it shows.</summary>
public static class CarQueries
{
    // The car is stored as TrainJson writes it, under its C# property names: the name read here is
    // the property's own, and CarQueriesTests pins that the stored JSON uses it.
    private const string Select = $"""
        SELECT c.id, c.project_id, c.target_branch, c.iid, c.car::text AS car, c.status, c.position, c.added_at, c.updated_at, c.finished_at,
               m.id AS merge_request_id, m.description, m.state AS merge_request_state, m.web_url,
               m.created_at AS merge_request_created_at, m.updated_at AS merge_request_updated_at,
               u.id AS user_id, u.name AS user_name, u.state AS user_state, u.avatar_url AS user_avatar_url, u.web_url AS user_web_url
        FROM cars c
        LEFT JOIN merge_requests m ON m.project_id = c.project_id AND m.iid = c.iid
        LEFT JOIN gitlab_users u ON u.username = c.car->>'{nameof(Car.AddedBy)}'
        """;

    // GitLab's scopes, by car status: active = idle, stale, fresh (to be merged); complete = merged,
    // merging, skip_merged (MergeTrains::Car::ACTIVE_STATUSES and COMPLETE_STATUSES). GitLab deletes
    // a car that leaves the train unmerged, so dropped cars show only with MergeTrain's
    // include_dropped: in every listing without a scope, or beside the complete ones.
    private const string InScope = """
        (@scope::text IS NULL AND (@includeDropped OR c.status <> @dropped)
         OR @scope = 'active' AND c.status = ANY(@activeStatuses)
         OR @scope = 'complete' AND (c.status = ANY(@completeStatuses) OR @includeDropped AND c.status = @dropped))
        """;

    // Sorted by car id, as GitLab sorts by id.
    private const string SelectPage = $"""
        {Select}
        WHERE c.project_id = @projectId
          AND (@targetBranch::text IS NULL OR c.target_branch = @targetBranch)
          AND {InScope}
        ORDER BY CASE WHEN @ascending THEN c.id END ASC, c.id DESC
        LIMIT @limit OFFSET @offset
        """;

    private const string Count = $"""
        SELECT count(*) FROM cars c
        WHERE c.project_id = @projectId
          AND (@targetBranch::text IS NULL OR c.target_branch = @targetBranch)
          AND {InScope}
        """;

    // The active car if there is one, else the most recent (a dropped one only when asked for).
    private const string SelectForMergeRequest = $"""
        {Select}
        WHERE c.project_id = @projectId AND c.iid = @iid AND (@includeDropped OR c.status <> @dropped)
        ORDER BY (c.finished_at IS NULL) DESC, c.id DESC
        LIMIT 1
        """;

    private const string SelectActiveOfTrain = $"""
        {Select}
        WHERE c.project_id = @projectId AND c.target_branch = @targetBranch AND c.finished_at IS NULL
        ORDER BY c.position
        """;

    private const string UpsertMergeRequest = """
        INSERT INTO merge_requests (project_id, iid, id, title, description, state, web_url, created_at, updated_at, seen_at)
        VALUES (@ProjectId, @Iid, @Id, @Title, @Description, @State, @WebUrl, @CreatedAt, @UpdatedAt, @now)
        ON CONFLICT (project_id, iid) DO UPDATE SET
            id = EXCLUDED.id, title = EXCLUDED.title, description = EXCLUDED.description, state = EXCLUDED.state,
            web_url = coalesce(EXCLUDED.web_url, merge_requests.web_url),
            created_at = coalesce(EXCLUDED.created_at, merge_requests.created_at),
            updated_at = coalesce(EXCLUDED.updated_at, merge_requests.updated_at), seen_at = EXCLUDED.seen_at
        """;

    private const string UpsertUser = """
        INSERT INTO gitlab_users (username, id, name, state, avatar_url, web_url, seen_at)
        VALUES (@Username, @Id, @Name, @State, @AvatarUrl, @WebUrl, @now)
        ON CONFLICT (username) DO UPDATE SET id = EXCLUDED.id, name = EXCLUDED.name, state = coalesce(EXCLUDED.state, gitlab_users.state),
            avatar_url = coalesce(EXCLUDED.avatar_url, gitlab_users.avatar_url), web_url = coalesce(EXCLUDED.web_url, gitlab_users.web_url),
            seen_at = EXCLUDED.seen_at
        """;

    // The status names the scopes compare, from the enum's own table (the cars table stores them).
    private static readonly string Dropped = CarStatus.Dropped.ToGitLabName();
    private static readonly string[] ActiveStatuses = [.. new[] { CarStatus.Idle, CarStatus.Stale, CarStatus.Fresh }.Select(GitLabNames.ToGitLabName)];
    private static readonly string[] CompleteStatuses = [.. new[] { CarStatus.Merged, CarStatus.Merging, CarStatus.SkipMerged }.Select(GitLabNames.ToGitLabName)];

    static CarQueries() => DapperTypes.Register();

    /// <summary>
    /// A page of a project's cars (optionally of one target branch and one of GitLab's scopes) and
    /// the total count; dropped cars only with <paramref name="includeDropped"/>.
    /// </summary>
    public static async Task<(IReadOnlyList<CarView> Cars, long Total)> PageAsync(
        NpgsqlConnection connection, long projectId, string? targetBranch, string? scope, bool includeDropped, bool ascending, int page, int perPage,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // In 64 bits: the last pages a client may ask for (page 2^31 - 1 of 100) overflow an int.
        var parameters = new
        {
            projectId, targetBranch, scope, includeDropped, ascending, limit = perPage, offset = (page - 1L) * perPage,
            dropped = Dropped, activeStatuses = ActiveStatuses, completeStatuses = CompleteStatuses,
        };
        var cars = (await connection.QueryAsync<CarView>(new CommandDefinition(SelectPage, parameters, cancellationToken: cancellationToken))).AsList();
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(Count, parameters, cancellationToken: cancellationToken));
        return (cars, total);
    }

    /// <summary>
    /// The car of an MR: its active one, else its latest (not counting dropped ones unless
    /// <paramref name="includeDropped"/>); null if there is none.
    /// </summary>
    public static Task<CarView?> ForMergeRequestAsync(NpgsqlConnection connection, long projectId, int iid, CancellationToken cancellationToken, bool includeDropped = true) =>
        connection.QuerySingleOrDefaultAsync<CarView?>(new CommandDefinition(SelectForMergeRequest, new { projectId, iid, includeDropped, dropped = Dropped }, cancellationToken: cancellationToken));

    /// <summary>The active cars of one train, first car first.</summary>
    public static async Task<IReadOnlyList<CarView>> ActiveAsync(NpgsqlConnection connection, long projectId, string targetBranch, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<CarView>(new CommandDefinition(SelectActiveOfTrain, new { projectId, targetBranch }, cancellationToken: cancellationToken))).AsList();

    /// <summary>Remembers what GitLab said about a merge request.</summary>
    public static Task RememberMergeRequestAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, MergeRequestRecord mergeRequest, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(UpsertMergeRequest, new
        {
            mergeRequest.ProjectId, mergeRequest.Iid, mergeRequest.Id, mergeRequest.Title, mergeRequest.Description,
            mergeRequest.State, mergeRequest.WebUrl, mergeRequest.CreatedAt, mergeRequest.UpdatedAt, now,
        }, transaction));

    /// <summary>Remembers what GitLab said about a user.</summary>
    public static Task RememberUserAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, GitLabUserRecord user, DateTimeOffset now) =>
        connection.ExecuteAsync(new CommandDefinition(UpsertUser, new { user.Username, user.Id, user.Name, user.State, user.AvatarUrl, user.WebUrl, now }, transaction));
}
