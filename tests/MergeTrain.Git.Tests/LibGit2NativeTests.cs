using LibGit2Sharp;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

public class LibGit2NativeTests
{
    [Test]
    public void System_libgit2_is_bound_and_reports_its_version()
    {
        LibGit2Native.EnsureLoaded();

        // Version reads the native library: it proves the calls now reach Debian's libgit2.
        GlobalSettings.Version.InformationalVersion.ShouldStartWith("0.29.0");
        GlobalSettings.Version.Features.HasFlag(BuiltInFeatures.Threads).ShouldBeTrue();
    }

    [Test]
    public void A_missing_library_is_reported_with_the_package_to_install()
    {
        var error = Should.Throw<LibGit2NotInstalledException>(
            () => LibGit2Native.Load(["libgit2-that-does-not-exist.so.0"]));

        error.Message.ShouldContain("apt-get install -y libgit2-1.5");
        error.Message.ShouldContain("libgit2-that-does-not-exist.so.0");
    }
}
