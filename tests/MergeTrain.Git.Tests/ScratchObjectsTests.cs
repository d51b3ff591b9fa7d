using System.Diagnostics;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

/// <summary>The file merges' scratch object directories: what a killed process left behind is deleted, nothing of a live one is.</summary>
public class ScratchObjectsTests
{
    [Test]
    public async Task Directories_left_by_processes_that_are_gone_are_deleted_and_those_of_running_ones_are_kept()
    {
        using var parent = new TempDirectory();
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();
        var leftover = Directory.CreateDirectory(parent.Combine($"mergetrain-objects-{exited.Id}-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(leftover, "object"), "x");
        var ours = Directory.CreateDirectory(parent.Combine($"mergetrain-objects-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        var unrelated = Directory.CreateDirectory(parent.Combine("mergetrain-objects-not-a-pid")).FullName;

        ScratchObjects.DeleteLeftovers(parent.Path);

        Directory.Exists(leftover).ShouldBeFalse("its process exited");
        Directory.Exists(ours).ShouldBeTrue("this process is running");
        Directory.Exists(unrelated).ShouldBeTrue("a name without a process id is nobody's to delete");
    }
}
