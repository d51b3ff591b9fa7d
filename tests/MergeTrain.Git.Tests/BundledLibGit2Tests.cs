using System.Runtime.InteropServices;
using LibGit2Sharp;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

public class BundledLibGit2Tests
{
    [Test]
    public void LibGit2Sharp_runs_on_the_libgit2_1_8_of_its_native_binaries_package()
    {
        GlobalSettings.Version.InformationalVersion.ShouldStartWith("0.32.0");
        GlobalSettings.Version.LibGit2CommitSha.ShouldBe("5853918");
        GlobalSettings.Version.Features.HasFlag(BuiltInFeatures.Https).ShouldBeTrue();
        GlobalSettings.Version.Features.HasFlag(BuiltInFeatures.Ssh).ShouldBeTrue();

        // Asked of the loaded library itself, through our own direct import.
        var version = BundledLibGit2.Version;
        (version.Major, version.Minor).ShouldBe((1, 8));
    }

    [Test]
    public void The_only_libgit2_in_the_process_is_the_one_under_the_application_directory()
    {
        // A call of LibGit2Sharp's and one of our direct imports, so that both have resolved their library.
        _ = GlobalSettings.Version.Features;
        _ = BundledLibGit2.Version;

        var rid = "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var expected = Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", $"lib{BundledLibGit2.LibraryName}.so");
        LibGit2Mappings().ShouldBe([expected]);
    }

    [Test]
    public void Our_direct_imports_name_the_library_LibGit2Sharp_imports()
    {
        // LibGit2Sharp keeps the name in an internal constant; reading it here catches a package
        // update that renames the library before anything fails at run time.
        var name = typeof(Repository).Assembly.GetType("LibGit2Sharp.Core.NativeDllName", throwOnError: true)!
            .GetField("Name")!.GetRawConstantValue();

        name.ShouldBe(BundledLibGit2.LibraryName);
    }

    [Test]
    public void A_library_that_is_not_where_LibGit2Sharp_looks_is_reported_with_where_it_belongs()
    {
        var error = Should.Throw<LibGit2NotLoadedException>(() => BundledLibGit2.Load("git2-that-does-not-exist"));

        error.Message.ShouldContain("libgit2-that-does-not-exist.so");
        error.Message.ShouldContain("LibGit2Sharp.NativeBinaries");
        error.Message.ShouldContain(AppContext.BaseDirectory);
    }

    [Test]
    public void A_second_copy_of_libgit2_is_refused()
    {
        using var temp = new TempDirectory();
        // Not named libgit2*: the mapping test above must not count this copy, which stays mapped.
        var copy = temp.Combine("second-copy.so");
        File.Copy(LibGit2Mappings().Single(), copy);

        var error = Should.Throw<LibGit2NotLoadedException>(() => BundledLibGit2.Load(copy));

        error.Message.ShouldContain("not the copy LibGit2Sharp initialised");
    }

    private static List<string> LibGit2Mappings()
    {
        BundledLibGit2.EnsureLoaded();
        // /proc/self/maps: address perms offset dev inode path; the path is the sixth field.
        return File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6)
            .Select(fields => fields[5].Trim())
            .Where(path => Path.GetFileName(path).StartsWith("libgit2", StringComparison.Ordinal))
            .Distinct()
            .ToList();
    }
}
