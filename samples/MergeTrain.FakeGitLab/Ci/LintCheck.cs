using MergeTrain.FakeGitLab.Git;

namespace MergeTrain.FakeGitLab.Ci;

/// <summary>
/// The job the simulated CI runs on a pipeline's commit: when the tree holds <c>lint.rules</c> (one
/// forbidden word per line, <c>#</c> starts a comment), every other file must be free of those words.
/// </summary>
internal static class LintCheck
{
    public const string RulesFile = "lint.rules";

    /// <summary>Null when the commit passes, otherwise the job log line explaining the failure.</summary>
    public static async Task<string?> FindViolationAsync(BareRepository repository, string sha, CancellationToken cancellationToken)
    {
        var rules = await repository.ReadFileAsync(sha, RulesFile, cancellationToken);
        if (rules is null)
        {
            return null;
        }

        var words = rules.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var hits = await repository.FindWordsAsync(sha, words, RulesFile, cancellationToken);
        if (hits.Count == 0)
        {
            return null;
        }

        return "lint: " + string.Join("; ", hits.Take(10).Select(hit => $"{hit.File} contains forbidden word '{hit.Word}'"));
    }
}
