namespace ContrastiveLab.Data;

/// <summary>One official file of a dataset: its name on disk, its HTTPS source and its published MD5.</summary>
/// <param name="FileName">File name in the dataset folder.</param>
/// <param name="Url">Official source.</param>
/// <param name="Md5">Published MD5 of the file, lower-case hex.</param>
public sealed record DownloadItem(string FileName, Uri Url, string Md5);
