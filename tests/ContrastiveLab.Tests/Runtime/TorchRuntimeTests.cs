using ContrastiveLab.Runtime;
using TorchSharp;

namespace ContrastiveLab.Tests.Runtime;

public class TorchRuntimeTests
{
    [Fact]
    public void Libtorch_computes_after_loading()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.ones(4, 4);
        using var product = a.matmul(a);
        Assert.Equal(4f, product[0, 0].item<float>());
    }

    [Fact]
    public void Native_library_in_output_folder_has_no_strong_requirement_the_system_lacks()
    {
        string? path = TorchRuntime.FindNativeLibrary();
        Assert.NotNull(path);
        var requirements = ElfVersionPatcher.ReadRequirements(File.ReadAllBytes(path));
        Assert.Contains(requirements, r => r.Version.StartsWith("GLIBCXX_", StringComparison.Ordinal));
        // After loading, the GCC 13 marker requirement is either absent or weak (patched on older systems).
        var marker = requirements.Where(r => r.Version == "GLIBCXX_3.4.32").ToList();
        Assert.All(marker, r => Assert.True(r.Weak || SystemHas("GLIBCXX_3.4.32")));
    }

    [Fact]
    public void MarkWeak_refuses_a_version_whose_symbols_are_really_used()
    {
        string path = TorchRuntime.FindNativeLibrary()!;
        byte[] elf = File.ReadAllBytes(path);
        var used = ElfVersionPatcher.ReadRequirements(elf).First(r => r.Version == "GLIBCXX_3.4.11" && r.Symbols.Count > 0);
        Assert.Null(ElfVersionPatcher.MarkWeak(elf, used.Version, ["_ZSt21ios_base_library_initv"]));
    }

    [Fact]
    public void MarkWeak_sets_only_the_weak_flag_of_the_marker_requirement()
    {
        string path = TorchRuntime.FindNativeLibrary()!;
        byte[] elf = File.ReadAllBytes(path);
        byte[]? patched = ElfVersionPatcher.MarkWeak(elf, "GLIBCXX_3.4.32", ["_ZSt21ios_base_library_initv"]);
        Assert.NotNull(patched);
        var after = ElfVersionPatcher.ReadRequirements(patched);
        Assert.True(after.Single(r => r.Version == "GLIBCXX_3.4.32").Weak);
        var before = ElfVersionPatcher.ReadRequirements(elf);
        Assert.Equal(before.Count(r => r.Weak) + (before.Single(r => r.Version == "GLIBCXX_3.4.32").Weak ? 0 : 1), after.Count(r => r.Weak));
        int differing = elf.Zip(patched).Count(p => p.First != p.Second);
        Assert.InRange(differing, 0, 1);
    }

    [Fact]
    public void ReadRequirements_rejects_bytes_that_are_not_elf()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadRequirements(new byte[100]));
        byte[] truncated = File.ReadAllBytes(TorchRuntime.FindNativeLibrary()!)[..4096];
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadRequirements(truncated));
    }

    private static bool SystemHas(string version)
    {
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib/x86_64-linux-gnu" })
        {
            string lib = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(lib))
            {
                return System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(lib)).Contains(version + "\0", StringComparison.Ordinal);
            }
        }
        return false;
    }
}
