namespace MergeTrain.Application.Webhooks;

/// <summary>
/// The <c>/merge-train</c> comment (SPEC section 5): on the comment's first line, <c>/merge-train</c>
/// adds the MR, <c>/merge-train cancel</c> takes it off; anything else is not a command.
/// </summary>
public abstract record MergeTrainComment
{
    /// <summary>The command word.</summary>
    public const string Command = "/merge-train";

    private MergeTrainComment(string line) => Line = line;

    /// <summary>The command line as written (trimmed), for the delivery's summary.</summary>
    public string Line { get; }

    /// <summary>The comment's command, or null when its first line is not one.</summary>
    public static MergeTrainComment? Parse(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var line = note.Split('\n', 2)[0].Trim();
        if (!line.StartsWith(Command, StringComparison.Ordinal) || line.Length > Command.Length && line[Command.Length] != ' ')
        {
            return null;
        }

        var argument = line[Command.Length..].Trim();
        return argument switch
        {
            "" => new Add(line),
            "cancel" => new Cancel(line),
            _ => new Unknown(line, argument),
        };
    }

    /// <summary><c>/merge-train</c>: add the MR to its train.</summary>
    public sealed record Add : MergeTrainComment
    {
        internal Add(string line)
            : base(line)
        {
        }
    }

    /// <summary><c>/merge-train cancel</c>: take the MR off its train.</summary>
    public sealed record Cancel : MergeTrainComment
    {
        internal Cancel(string line)
            : base(line)
        {
        }
    }

    /// <summary><c>/merge-train</c> with an argument MergeTrain does not know.</summary>
    public sealed record Unknown : MergeTrainComment
    {
        internal Unknown(string line, string argument)
            : base(line) => Argument = argument;

        /// <summary>What followed the command.</summary>
        public string Argument { get; }
    }
}
