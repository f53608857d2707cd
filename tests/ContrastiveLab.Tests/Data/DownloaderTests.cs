using System.Net;
using System.Security.Cryptography;
using ContrastiveLab.Data;

namespace ContrastiveLab.Tests.Data;

/// <summary>The downloader against a file server on the loopback interface that honours range requests.</summary>
public sealed class DownloaderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cl-dl-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _content = MakeContent();
    private readonly HttpListener _listener = new();
    private readonly List<string?> _ranges = [];
    private readonly Task _server;
    private volatile bool _dropHalfway;

    public DownloaderTests()
    {
        int port = Random.Shared.Next(20_000, 60_000);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                port = Random.Shared.Next(20_000, 60_000);
            }
        }
        Url = new Uri($"http://127.0.0.1:{port}/data.bin");
        _server = Task.Run(Serve);
    }

    private Uri Url { get; }

    private static byte[] MakeContent()
    {
        var bytes = new byte[300_000];
        new Random(4).NextBytes(bytes);
        return bytes;
    }

    private string Md5 => Convert.ToHexStringLower(MD5.HashData(_content));

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            string? range = ctx.Request.Headers["Range"];
            lock (_ranges)
            {
                _ranges.Add(range);
            }
            long start = 0;
            if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                start = long.Parse(range[6..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
                ctx.Response.StatusCode = 206;
                ctx.Response.Headers["Content-Range"] = $"bytes {start}-{_content.Length - 1}/{_content.Length}";
            }
            ctx.Response.ContentLength64 = _content.Length - start;
            try
            {
                if (_dropHalfway)
                {
                    await ctx.Response.OutputStream.WriteAsync(_content.AsMemory((int)start, (_content.Length - (int)start) / 2));
                    ctx.Response.Abort(); // connection cut mid-transfer
                    continue;
                }
                await ctx.Response.OutputStream.WriteAsync(_content.AsMemory((int)start));
                ctx.Response.Close();
            }
            catch (HttpListenerException)
            {
            }
        }
    }

    private DownloadItem Item(string? md5 = null) => new("data.bin", Url, md5 ?? Md5);

    [Fact]
    public void A_download_lands_whole_with_its_checksum_and_no_partial_file()
    {
        DatasetDownloader.Download([Item()], _folder);
        Assert.Equal(_content, File.ReadAllBytes(Path.Combine(_folder, "data.bin")));
        Assert.False(File.Exists(Path.Combine(_folder, "data.bin.part")));
    }

    [Fact]
    public void A_cut_transfer_leaves_only_a_part_file_and_the_next_run_resumes_with_a_range_request()
    {
        _dropHalfway = true;
        Assert.ThrowsAny<Exception>(() => DatasetDownloader.Download([Item()], _folder));
        Assert.False(File.Exists(Path.Combine(_folder, "data.bin")));
        long partial = new FileInfo(Path.Combine(_folder, "data.bin.part")).Length;
        Assert.InRange(partial, 1, _content.Length - 1);

        _dropHalfway = false;
        DatasetDownloader.Download([Item()], _folder);
        Assert.Equal(_content, File.ReadAllBytes(Path.Combine(_folder, "data.bin")));
        Assert.Contains($"bytes={partial}-", _ranges);
    }

    [Fact]
    public void A_checksum_mismatch_deletes_the_download_and_says_so()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetDownloader.Download([Item(new string('0', 32))], _folder));
        Assert.Contains("not the published", e.Message);
        Assert.False(File.Exists(Path.Combine(_folder, "data.bin")));
        Assert.False(File.Exists(Path.Combine(_folder, "data.bin.part")));
    }

    [Fact]
    public void A_present_file_with_the_right_checksum_is_not_fetched_again_and_a_wrong_one_is_refused()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllBytes(Path.Combine(_folder, "data.bin"), _content);
        DatasetDownloader.Download([Item()], _folder);
        Assert.Empty(_ranges);
        File.WriteAllBytes(Path.Combine(_folder, "data.bin"), [1, 2, 3]);
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetDownloader.Download([Item()], _folder));
        Assert.Contains("delete it", e.Message);
    }

    [Fact]
    public void Without_a_server_the_message_says_what_to_put_where()
    {
        var item = new DownloadItem("x.gz", new Uri("http://127.0.0.1:9/x.gz"), new string('a', 32));
        var e = Assert.Throws<DatasetNotFoundException>(() => DatasetDownloader.Download([item], _folder));
        Assert.Contains($"put x.gz (MD5 {new string('a', 32)}) in {_folder}/", e.Message);
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
