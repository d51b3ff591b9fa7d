using MergeTrain.Application.Webhooks;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Application.Tests.Webhooks;

public class MergeTrainCommentTests
{
    [TestCase("/merge-train")]
    [TestCase("  /merge-train  ")]
    [TestCase("/merge-train\nplease, it is ready")]
    public void The_bare_command_on_the_first_line_adds(string note) =>
        MergeTrainComment.Parse(note).ShouldBeOfType<MergeTrainComment.Add>().Line.ShouldBe("/merge-train");

    [Test]
    public void Cancel_takes_the_merge_request_off() =>
        MergeTrainComment.Parse("/merge-train cancel").ShouldBeOfType<MergeTrainComment.Cancel>();

    [Test]
    public void An_unknown_argument_is_named() =>
        MergeTrainComment.Parse("/merge-train now").ShouldBeOfType<MergeTrainComment.Unknown>().Argument.ShouldBe("now");

    [TestCase("looks good")]
    [TestCase("/merge-trains")]
    [TestCase("please\n/merge-train")]
    [TestCase("")]
    public void Anything_else_is_no_command(string note) => MergeTrainComment.Parse(note).ShouldBeNull();
}
