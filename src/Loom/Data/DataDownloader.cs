using System.Net.Sockets;
using System.Security.Cryptography;
using Loom.Core;

namespace Loom.Data;

/// <summary>
/// <c>loom data get NAME</c>: fetches a catalogued data set's files from their canonical URLs into a folder
/// (default <c>~/.cache/loom/NAME</c>). Each file streams into a temporary file beside its target while its SHA-256
/// is computed; only a file whose checksum matches the catalog is renamed into place, so a failed or corrupt download
/// never leaves a partial file. Files already present with a good checksum are kept. The KJV text is extracted
/// from the Debian package instead of downloaded.
/// </summary>
public static class DataDownloader
{
    /// <summary>Fetches data set <paramref name="name"/>; returns the paths of its files.</summary>
    public static IReadOnlyList<string> Get(string name, string? destDir = null, HttpClient? http = null, DataSearchPaths? paths = null)
    {
        var entry = DataCatalog.Get(name);
        paths ??= DataSearchPaths.Default();
        return Get(entry, destDir ?? paths.CacheFolder(entry.Name), http, paths.DownloadProgress);
    }

    /// <summary>Fetches the files of <paramref name="entry"/> into <paramref name="destDir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Get(DatasetEntry entry, string destDir, HttpClient? http = null,
        IProgress<DownloadProgress>? progress = null)
    {
        if (entry.Generated)
            throw new LoomUsageException($"'{entry.Name}' is generated on the fly; there is nothing to download");
        if (entry.Name == KjvText.Name && !entry.Downloadable)
            return new[] { KjvText.ExtractTo(destDir) };
        if (Tables.TableDatasets.Find(entry.Name) is { } table)
            return Tables.TableDatasets.WriteTo(table, destDir);
        if (entry.Name == Audio.SpokenDigits.Name)
            return [Audio.SpokenDigits.WriteTo(destDir)];
        if (!entry.Downloadable)
            throw new LoomDataException($"'{entry.Name}' has no download address; {DataCatalog.HowToGet(entry)}");
        Directory.CreateDirectory(destDir);
        var owned = http is null;
        http ??= new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            var result = new List<string>();
            foreach (var file in entry.Files)
                result.Add(Fetch(entry, file, destDir, http, progress));
            return result;
        }
        finally
        {
            if (owned)
                http.Dispose();
        }
    }

    private static string Fetch(DatasetEntry entry, DataFileSpec file, string destDir, HttpClient http,
        IProgress<DownloadProgress>? progress)
    {
        var target = Path.Combine(destDir, file.FileName);
        if (file.Sha256 is null)
            throw new LoomDataException($"{file.Url}: no checksum is recorded for {file.FileName}; refusing an unchecked download");
        if (File.Exists(target))
        {
            var (status, _) = Checksums.Judge(file, Checksums.Sha256OfFile(target));
            if (status is ChecksumStatus.Verified or ChecksumStatus.KnownAlternate)
                return target;
        }
        var temp = Path.Combine(destDir, $".{file.FileName}.{Guid.NewGuid():N}.part");
        try
        {
            var actual = Download(entry, file, http, temp, progress);
            if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new LoomDataException(
                    $"{file.Url}: checksum mismatch for {file.FileName}: expected sha256 {file.Sha256}, got {actual}; nothing was saved");
            File.Move(temp, target, overwrite: true);
            return target;
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    private static string Download(DatasetEntry entry, DataFileSpec file, HttpClient http, string temp,
        IProgress<DownloadProgress>? progress)
    {
        var url = file.Url!;
        try
        {
            using var response = http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                throw new LoomDataException(
                    $"{url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}; {Alternative(entry)}");
            using var body = response.Content.ReadAsStream();
            using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            var total = response.Content.Headers.ContentLength ?? file.Size;
            long done = 0;
            progress?.Report(new DownloadProgress(entry.Name, file.FileName, 0, total));
            int read;
            while ((read = body.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
                done += read;
                progress?.Report(new DownloadProgress(entry.Name, file.FileName, done, total));
            }
            output.Flush(flushToDisk: true);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new LoomDataException(
                $"{url}: cannot reach the server, this machine looks offline ({Reason(e)}); {Alternative(entry)}", e);
        }
        catch (HttpRequestException e)
        {
            throw new LoomDataException($"{url}: HTTP {(int)e.StatusCode!.Value} {e.StatusCode}; {Alternative(entry)}", e);
        }
        catch (TaskCanceledException e)
        {
            throw new LoomDataException($"{url}: the download timed out; {Alternative(entry)}", e);
        }
        catch (IOException e) when (e.InnerException is SocketException or HttpRequestException)
        {
            throw new LoomDataException($"{url}: the connection broke during the download ({Reason(e)}); {Alternative(entry)}", e);
        }
    }

    private static string Alternative(DatasetEntry entry) =>
        entry.InstallHint is not null
            ? $"install it instead with '{entry.InstallHint}', or copy its files into {DataSearchPaths.DefaultCache()}/{entry.Name}/"
            : $"copy its files ({string.Join(", ", entry.Files.Select(f => f.FileName))}) into "
                + $"{DataSearchPaths.DefaultCache()}/{entry.Name}/ or point $LOOM_DATA at a folder holding {entry.Name}/";

    private static string Reason(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null)
            inner = inner.InnerException;
        var text = inner is SocketException s ? s.SocketErrorCode.ToString() : inner.Message;
        return text.Split('\n')[0].Trim();
    }
}
