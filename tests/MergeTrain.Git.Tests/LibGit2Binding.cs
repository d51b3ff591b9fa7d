using NUnit.Framework;

namespace MergeTrain.Git.Tests;

/// <summary>Binds LibGit2Sharp to the system libgit2 before any test uses LibGit2Sharp directly (ADR 0003).</summary>
[SetUpFixture]
public class LibGit2Binding
{
    [OneTimeSetUp]
    public void Bind() => LibGit2Native.EnsureLoaded();
}
