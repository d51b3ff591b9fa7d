namespace MergeTrain.GitLab.Webhooks;

/// <summary>
/// Git's rules for reference names (<c>git check-ref-format</c>), which GitLab applies to branch
/// names too. A hook naming a branch git would refuse is refused where it enters (400), rather
/// than failing later in a fetch or a push, on every retry, in front of the hooks behind it.
/// </summary>
public static class GitRefName
{
    private const int MaxLength = 255;

    /// <summary>Why <paramref name="name"/> is not a valid branch or reference name, or null when it is.</summary>
    public static string? Problem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name == "@")
        {
            return "it is empty or '@'";
        }

        if (name.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c) || c is ' ' or '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            {
                return $"it contains {(char.IsControl(c) ? "a control character" : $"'{c}'")}";
            }

            if (char.IsHighSurrogate(c) && (i + 1 == name.Length || !char.IsLowSurrogate(name[i + 1])) || char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(name[i - 1])))
            {
                return "it is not valid Unicode";
            }
        }

        if (name.Contains("..", StringComparison.Ordinal) || name.Contains("@{", StringComparison.Ordinal) || name.Contains("//", StringComparison.Ordinal))
        {
            return "it contains '..', '@{' or '//'";
        }

        if (name[0] is '/' or '-' || name[^1] is '/' or '.')
        {
            return "it starts with '/' or '-', or ends with '/' or '.'";
        }

        return name.Split('/').Any(part => part.StartsWith('.') || part.EndsWith(".lock", StringComparison.Ordinal))
            ? "a part of it starts with '.' or ends with '.lock'"
            : null;
    }
}
