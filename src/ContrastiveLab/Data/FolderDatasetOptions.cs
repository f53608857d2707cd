namespace ContrastiveLab.Data;

/// <summary>How to read <c>folder</c> and <c>imagenet100</c> datasets.</summary>
/// <param name="SkipUndecodable">Skip files that are not decodable JPEG or PNG instead of failing; each skip is reported to <paramref name="OnSkipped"/>.</param>
/// <param name="OnSkipped">Called with the file path and the reason for every skipped file.</param>
public sealed record FolderDatasetOptions(bool SkipUndecodable = false, Action<string, string>? OnSkipped = null)
{
    /// <summary>Fail on the first undecodable file.</summary>
    public static FolderDatasetOptions Strict { get; } = new();
}
