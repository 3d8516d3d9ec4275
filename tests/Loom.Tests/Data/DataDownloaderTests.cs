using Loom.Tests.Support;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Loom.Core;
using Loom.Data;

namespace Loom.Tests.Data;

public class DataDownloaderTests
{
    private static readonly byte[] Good = Encoding.UTF8.GetBytes("emma\nolivia\nava\n");

    private static DatasetEntry Demo(string baseUrl) => new(
        "demo", "test data", DatasetKind.Text,
        new[]
        {
            new DataFileSpec("a.txt", baseUrl + "a.txt", Checksums.Sha256(Good), Good.Length),
            new DataFileSpec("b.txt", baseUrl + "b.txt", Checksums.Sha256(Good), Good.Length),
        },
        Array.Empty<string>(), "apt-get install demo-data", "test only");

    /// <summary>Serves fixed responses per URL path, counting requests; throws when told to act offline.</summary>
    private sealed class FakeHandler(Func<string, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(respond(request.RequestUri!.AbsolutePath));
        }
    }

    private static HttpResponseMessage Bytes(byte[] body) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };

    [Fact]
    public void DownloadsVerifiesAndKeepsGoodFiles()
    {
        using var tmp = new TempFolder();
        var handler = new FakeHandler(_ => Bytes(Good));
        using var http = new HttpClient(handler);
        var files = DataDownloader.Get(Demo("http://example.test/"), tmp.Path, http);
        Assert.Equal(new[] { tmp.File("a.txt"), tmp.File("b.txt") }, files);
        Assert.All(files, f => Assert.Equal(Good, File.ReadAllBytes(f)));
        Assert.Equal(2, handler.Requests);
        Assert.Equal(2, Directory.GetFiles(tmp.Path).Length);

        // already present and verified: nothing is fetched again
        DataDownloader.Get(Demo("http://example.test/"), tmp.Path, http);
        Assert.Equal(2, handler.Requests);
    }

    [Fact]
    public void ChecksumMismatchLeavesNoFileAndNamesBothChecksums()
    {
        using var tmp = new TempFolder();
        var bad = Encoding.UTF8.GetBytes("tampered\n");
        using var http = new HttpClient(new FakeHandler(_ => Bytes(bad)));
        var e = Assert.Throws<LoomDataException>(() => DataDownloader.Get(Demo("http://example.test/"), tmp.Path, http));
        Assert.Contains("checksum mismatch", e.Message);
        Assert.Contains(Checksums.Sha256(Good), e.Message);
        Assert.Contains(Checksums.Sha256(bad), e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.GetFiles(tmp.Path));
    }

    [Fact]
    public void CorruptExistingFileIsReplaced()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("a.txt"), "half a fi");
        using var http = new HttpClient(new FakeHandler(_ => Bytes(Good)));
        DataDownloader.Get(Demo("http://example.test/"), tmp.Path, http);
        Assert.Equal(Good, File.ReadAllBytes(tmp.File("a.txt")));
    }

    [Fact]
    public void NotFoundIsAnHttpErrorAndKeepsEarlierGoodFiles()
    {
        using var tmp = new TempFolder();
        using var http = new HttpClient(
            new FakeHandler(path => path.EndsWith("b.txt") ? new HttpResponseMessage(HttpStatusCode.NotFound) : Bytes(Good)));
        var e = Assert.Throws<LoomDataException>(() => DataDownloader.Get(Demo("http://example.test/"), tmp.Path, http));
        Assert.Contains("HTTP 404", e.Message);
        Assert.Contains("http://example.test/b.txt", e.Message);
        Assert.Equal(new[] { tmp.File("a.txt") }, Directory.GetFiles(tmp.Path));
    }

    [Fact]
    public void A_missing_named_set_is_fetched_on_first_use_with_progress_and_then_found_in_the_cache()
    {
        using var tmp = new TempFolder();
        var names = File.ReadAllBytes(RepoPaths.BundledData("names.txt"));
        var handler =
            new FakeHandler(path => path.EndsWith("/names.txt") ? Bytes(names) : new HttpResponseMessage(HttpStatusCode.NotFound));
        using var http = new HttpClient(handler);
        var reports = new List<DownloadProgress>();
        var paths =
            tmp.SearchPaths() with { FetchMissing = true, Http = http, DownloadProgress = new SyncProgress<DownloadProgress>(reports.Add) };
        var source = DataCatalog.Resolve("names", paths);
        Assert.Equal(Path.Combine(paths.CacheFolder("names"), "names.txt"), source.Path);
        Assert.Equal(names, File.ReadAllBytes(source.Path));
        Assert.Equal(new DownloadProgress("names", "names.txt", 0, names.Length), reports[0]);
        Assert.Equal(new DownloadProgress("names", "names.txt", names.Length, names.Length), reports[^1]);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.BytesDone <= p.Second.BytesDone));
        DataCatalog.Resolve("names", paths);
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public void A_missing_set_offline_or_without_fetching_gets_one_line_saying_what_to_do()
    {
        using var tmp = new TempFolder();
        using var http = new HttpClient(new FakeHandler(_ =>
            throw new HttpRequestException("Name or service not known", new SocketException((int)SocketError.HostNotFound))));
        var fetching = tmp.SearchPaths() with { FetchMissing = true, Http = http };
        var offline = Assert.Throws<LoomDataException>(() => DataCatalog.Resolve("tinyshakespeare", fetching));
        Assert.StartsWith("Data: tinyshakespeare: not found on this machine and the download failed: ", offline.Message);
        Assert.Contains("offline", offline.Message);
        Assert.DoesNotContain('\n', offline.Message);
        Assert.False(Directory.Exists(fetching.CacheFolder("tinyshakespeare")) &&
                     Directory.EnumerateFileSystemEntries(fetching.CacheFolder("tinyshakespeare")).Any());

        var noFetch = Assert.Throws<LoomDataException>(() => DataCatalog.Resolve("tinyshakespeare", tmp.SearchPaths()));
        Assert.Equal("Data: tinyshakespeare: not found on this machine; run 'loom data get tinyshakespeare'", noFetch.Message);
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    [Fact]
    public void OfflineSaysSoAndWhatToInstall()
    {
        using var tmp = new TempFolder();
        using var http = new HttpClient(new FakeHandler(_ =>
            throw new HttpRequestException("Network is unreachable", new SocketException((int)SocketError.NetworkUnreachable))));
        var e = Assert.Throws<LoomDataException>(() => DataDownloader.Get(Demo("http://example.test/"), tmp.Path, http));
        Assert.Contains("offline", e.Message);
        Assert.Contains("apt-get install demo-data", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.GetFiles(tmp.Path));
    }

    [Fact]
    public async Task RealHttpListenerServesGoodBytesAndMissingFiles()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        var prefix = $"http://127.0.0.1:{port}/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(prefix);
        listener.Start();
        var server = Task.Run(async () =>
        {
            for (int i = 0; i < 2; i++)
            {
                var context = await listener.GetContextAsync();
                if (context.Request.Url!.AbsolutePath.EndsWith("a.txt"))
                {
                    context.Response.ContentLength64 = Good.Length;
                    await context.Response.OutputStream.WriteAsync(Good);
                }
                else
                    context.Response.StatusCode = 404;
                context.Response.Close();
            }
        });
        using var tmp = new TempFolder();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var e = Assert.Throws<LoomDataException>(() => DataDownloader.Get(Demo(prefix), tmp.Path, http));
        Assert.Contains("HTTP 404", e.Message);
        await server.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(new[] { tmp.File("a.txt") }, Directory.GetFiles(tmp.Path));
        Assert.Equal(Good, File.ReadAllBytes(tmp.File("a.txt")));
    }

    [Fact]
    public void GeneratedAndLocalOnlySetsAreNotDownloaded()
    {
        using var tmp = new TempFolder();
        Assert.Throws<LoomUsageException>(() => DataDownloader.Get("moons", tmp.Path));
        var local = new DatasetEntry("local", "x", DatasetKind.Text, new[] { new DataFileSpec("x.txt", null, null) },
            Array.Empty<string>(), "apt-get install x-data", "test");
        Assert.Contains("apt-get install x-data", Assert.Throws<LoomDataException>(() => DataDownloader.Get(local, tmp.Path)).Message);
        Assert.Throws<LoomUsageException>(() => DataDownloader.Get("no-such-set", tmp.Path));
    }
}
