using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace ContrastiveLab.Data;

/// <summary>
/// Downloads a dataset's official files into its folder: over HTTPS where the publisher offers it, resuming a
/// partial download (<c>.part</c> file, HTTP range request), checking the publisher's MD5, and renaming into
/// place only when complete and correct, so an interrupted download never leaves a file that passes for whole.
/// </summary>
public static class DatasetDownloader
{
    /// <summary>The official files of the datasets that can be downloaded.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<DownloadItem>> Official { get; } = new Dictionary<string, IReadOnlyList<DownloadItem>>
    {
        ["fashion-mnist"] = Idx("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe", "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"),
        // torchvision's mirror of LeCun's files (the original site serves plain HTTP only).
        ["mnist"] = Idx("https://ossci-datasets.s3.amazonaws.com/mnist/",
            "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432", "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"),
        ["cifar10"] = [new("cifar-10-binary.tar.gz", new Uri("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), "c32a1d4ab5d03f1284b67883e8d87530")],
        ["cifar100"] = [new("cifar-100-binary.tar.gz", new Uri("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"), "03b5dce01913d631647c71ecec9e9cb8")],
        // The SVHN publisher serves plain HTTP only; the MD5 check is what guards these files.
        ["svhn"] =
        [
            new("train_32x32.mat", new Uri("http://ufldl.stanford.edu/housenumbers/train_32x32.mat"), "e26dedcc434d2e4c54c9b2d4a06d8373"),
            new("test_32x32.mat", new Uri("http://ufldl.stanford.edu/housenumbers/test_32x32.mat"), "eb5a983be6a315427106f1b164d9cef3"),
        ],
    };

    private static IReadOnlyList<DownloadItem> Idx(string baseUrl, string trainImages, string trainLabels, string testImages, string testLabels) =>
    [
        new("train-images-idx3-ubyte.gz", new Uri(baseUrl + "train-images-idx3-ubyte.gz"), trainImages),
        new("train-labels-idx1-ubyte.gz", new Uri(baseUrl + "train-labels-idx1-ubyte.gz"), trainLabels),
        new("t10k-images-idx3-ubyte.gz", new Uri(baseUrl + "t10k-images-idx3-ubyte.gz"), testImages),
        new("t10k-labels-idx1-ubyte.gz", new Uri(baseUrl + "t10k-labels-idx1-ubyte.gz"), testLabels),
    ];

    /// <summary>Downloads every item into <paramref name="folder"/>; items already there with the right MD5 are kept.</summary>
    /// <param name="items">The files.</param>
    /// <param name="folder">Destination folder (created).</param>
    /// <param name="progress">Called with (file, bytes so far, total bytes or null) as data arrives.</param>
    /// <param name="client">HTTP client (a default one when null).</param>
    /// <param name="cancel">Stops the download; the partial file stays for a later resume.</param>
    /// <exception cref="DatasetNotFoundException">A file could not be fetched or failed its checksum; the message says what to put where.</exception>
    public static void Download(IReadOnlyList<DownloadItem> items, string folder, Action<string, long, long?>? progress = null,
        HttpClient? client = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(folder);
        using var owned = client is null ? new HttpClient { Timeout = TimeSpan.FromMinutes(30) } : null;
        var http = client ?? owned!;
        foreach (var item in items)
        {
            string final = Path.Combine(folder, item.FileName);
            if (File.Exists(final))
            {
                if (Md5(final) == item.Md5)
                {
                    continue;
                }
                throw new DatasetNotFoundException($"{final} exists but its MD5 is not the published {item.Md5}; delete it to download it again");
            }
            try
            {
                Fetch(http, item, final, progress, cancel);
            }
            catch (HttpRequestException e)
            {
                throw new DatasetNotFoundException(
                    $"could not download {item.Url} ({e.Message}); without network, put {item.FileName} (MD5 {item.Md5}) in {folder}/");
            }
            catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new DatasetNotFoundException(
                    $"download of {item.Url} timed out; run again to resume, or put {item.FileName} (MD5 {item.Md5}) in {folder}/");
            }
        }
    }

    private static void Fetch(HttpClient http, DownloadItem item, string final, Action<string, long, long?>? progress, CancellationToken cancel)
    {
        string part = final + ".part";
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, item.Url);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }
        using var response = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel).GetAwaiter().GetResult();
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The partial file is already whole (or longer than the source): check it as it is.
            have = -1;
        }
        else
        {
            response.EnsureSuccessStatusCode();
            bool resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed)
            {
                have = 0; // the server ignored the range: start again
            }
            long? total = response.Content.Headers.ContentLength is { } length ? length + have : null;
            using var body = response.Content.ReadAsStream(cancel);
            using (var output = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buffer = new byte[1 << 16];
                long done = have;
                int read;
                while ((read = body.Read(buffer)) > 0)
                {
                    cancel.ThrowIfCancellationRequested();
                    output.Write(buffer, 0, read);
                    done += read;
                    progress?.Invoke(item.FileName, done, total);
                }
                output.Flush(flushToDisk: true);
            }
        }
        string md5 = Md5(part);
        if (md5 != item.Md5)
        {
            File.Delete(part);
            throw new DatasetNotFoundException($"{item.Url}: downloaded file has MD5 {md5}, not the published {item.Md5}; it was deleted, run again to retry");
        }
        File.Move(part, final, overwrite: false);
    }

    /// <summary>Lower-case hex MD5 of a file.</summary>
    public static string Md5(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }
}
