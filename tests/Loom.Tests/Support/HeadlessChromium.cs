using System.Diagnostics;

namespace Loom.Tests.Support;

/// <summary>Screenshots a local HTML file with Debian's chromium in headless mode (installed by <c>build/setup.sh --tests</c>).</summary>
public static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    /// <summary>
    /// Renders <paramref name="htmlPath"/> in a <paramref name="width"/>×<paramref name="height"/> window with a fresh
    /// profile and no network services, and writes the visible part to <paramref name="pngPath"/>. Throws when chromium
    /// is missing, fails, writes nothing, or is still running after <paramref name="timeout"/> (then it is killed).
    /// </summary>
    public static void Screenshot(string htmlPath, string pngPath, int width, int height, TimeSpan timeout)
    {
        if (!File.Exists(Executable))
            throw new FileNotFoundException($"{Executable} is not installed; build/setup.sh --tests installs Debian's chromium");
        var profile = RepoPaths.NewTempDir("loom-chromium-profile");
        try
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            string[] args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--user-data-dir={profile}", $"--window-size={width},{height}", $"--screenshot={pngPath}",
                new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            ];
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish a screenshot of {htmlPath} in {timeout}");
            }
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(pngPath))
            {
                var written = File.Exists(pngPath) ? "a" : "no";
                throw new InvalidOperationException(
                    $"chromium exited with {process.ExitCode} and {written} screenshot\n{stdout.Result}\n{stderr.Result}");
            }
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); }
            catch (IOException) { }
        }
    }
}
