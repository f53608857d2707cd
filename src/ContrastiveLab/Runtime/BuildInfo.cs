namespace ContrastiveLab.Runtime;

/// <summary>
/// What this build is, as run folders (environment.json), exports and the parity harness record it: the toolkit's
/// version and the versions of TorchSharp and libtorch it was built against.
/// </summary>
public static class BuildInfo
{
    /// <summary>
    /// The toolkit's version and the commit it was built from (<c>0.9.0+&lt;sha&gt;</c>), or the bare version when the
    /// build saw no git repository (Directory.Build.props).
    /// </summary>
    public static string Toolkit { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? typeof(BuildInfo).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The TorchSharp assembly's version.</summary>
    public static string? TorchSharp { get; } = typeof(torch).Assembly.GetName().Version?.ToString();

    /// <summary>The libtorch version this build references (Directory.Packages.props).</summary>
    public static string LibTorch { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "LibTorchVersion")?.Value ?? "unknown";
}
