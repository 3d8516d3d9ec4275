using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;

namespace Loom.Data.Tables;

/// <summary>
/// The mixed-type table data sets, taken from Debian packages and written into a data folder as <c>NAME.csv</c> with
/// its metadata beside it (<c>NAME.metadata.json</c>, which table readers lay over the detected types): <c>diamonds</c>
/// (ggplot2's 53,940 diamonds, converted once with Rscript; cut, color and clarity keep R's ordered factor levels),
/// <c>fair</c> (statsmodels' Fair's affairs survey, 6,366 rows) and <c>seattle-weather</c> (vega-datasets' daily
/// Seattle weather 2012–2015, 1,461 rows).
/// </summary>
public static class TableDatasets
{
    /// <summary>One table data set: its Debian package and how its CSV is made.</summary>
    public sealed record Source(string Name, string Package, string Description, string License, string? PackageCsv);

    public const string Rscript = "/usr/bin/Rscript";
    private const string GgplotFolder = "/usr/lib/R/site-library/ggplot2";

    public static IReadOnlyList<Source> All { get; } =
    [
        new("diamonds", "r-cran-ggplot2", "ggplot2's diamonds: price, carat, cut, colour, clarity and size of 53,940 diamonds",
            "ggplot2 (MIT); data from the ggplot2 package, Debian r-cran-ggplot2", null),
        new("fair", "python3-statsmodels", "Fair's 1978 affairs survey (6,366 women): marriage rating, age, children, religion, occupation",
            "Public domain (statsmodels datasets, Debian python3-statsmodels)",
            "/usr/lib/python3/dist-packages/statsmodels/datasets/fair/fair.csv"),
        new("seattle-weather", "python3-vega-datasets",
            "Daily Seattle weather 2012–2015: precipitation, temperatures, wind, weather type",
            "vega-datasets (BSD-3-Clause; NOAA data), Debian python3-vega-datasets",
            "/usr/lib/python3/dist-packages/vega_datasets/_data/seattle-weather.csv"),
    ];

    /// <summary>The table data set called <paramref name="name"/>, or null.</summary>
    public static Source? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>The files a data folder holds for a table data set.</summary>
    public static IReadOnlyList<DataFileSpec> Files(string name) =>
        [new DataFileSpec(name + ".csv", null, null), new DataFileSpec(name + ".metadata.json", null, null)];

    /// <summary>True when the Debian package the data set comes from is installed.</summary>
    public static bool PackageInstalled(Source source) =>
        source.PackageCsv is { } csv ? File.Exists(csv) : File.Exists(Rscript) && Directory.Exists(GgplotFolder);

    /// <summary>
    /// Writes <c>NAME.csv</c> and <c>NAME.metadata.json</c> into <paramref name="folder"/> from the installed package; a
    /// missing package is a <see cref="LoomDataException"/> naming it.
    /// </summary>
    public static IReadOnlyList<string> WriteTo(Source source, string folder)
    {
        if (!PackageInstalled(source))
            throw new LoomDataException($"{source.Name}: comes from Debian's {source.Package}, which is not installed; "
                + $"install it with 'sudo apt-get install {source.Package}'");
        Directory.CreateDirectory(folder);
        var csv = Path.Combine(folder, source.Name + ".csv");
        var metadata = Path.Combine(folder, source.Name + ".metadata.json");
        JsonObject columns;
        if (source.PackageCsv is { } packaged)
        {
            AtomicFile.WriteAllBytes(csv, File.ReadAllBytes(packaged));
            columns = source.Name == "fair"
                ? new JsonObject
                {
                    ["occupation"] = new JsonObject { ["sdtype"] = "categorical" },
                    ["occupation_husb"] = new JsonObject { ["sdtype"] = "categorical" },
                }
                : new JsonObject { ["date"] = new JsonObject { ["sdtype"] = "datetime", ["datetime_format"] = "yyyy/MM/dd" } };
        }
        else
            columns = ConvertDiamonds(csv);
        AtomicFile.WriteAllText(metadata, new JsonObject { ["columns"] = columns }.ToJsonString(
            new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return [csv, metadata];
    }

    /// <summary>Runs Rscript to write ggplot2::diamonds as CSV; returns the ordinal columns with R's factor levels.</summary>
    private static JsonObject ConvertDiamonds(string csv)
    {
        var temporary = csv + ".tmp";
        var script = $"d <- ggplot2::diamonds; write.csv(d, '{temporary.Replace("'", "\\'")}', row.names = FALSE); "
            + "for (c in c('cut', 'color', 'clarity')) cat(c, levels(d[[c]]), sep = '\\t', fill = FALSE, '\\n')";
        var start = new ProcessStartInfo(Rscript)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new LoomDataException($"{Rscript}: could not be started");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !File.Exists(temporary))
            throw new LoomDataException($"{Rscript}: converting ggplot2::diamonds failed (exit {process.ExitCode}): "
                + errors.Result.Split('\n')[0].Trim());
        File.Move(temporary, csv, overwrite: true);
        var columns = new JsonObject();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
            if (parts.Count < 2) continue;
            columns[parts[0]] = new JsonObject
            {
                ["sdtype"] = "ordinal", ["order"] = new JsonArray(parts.Skip(1).Select(l => (JsonNode)JsonValue.Create(l)).ToArray()),
            };
        }
        if (columns.Count != 3)
            throw new LoomDataException($"{Rscript}: expected the levels of cut, color and clarity, got '{output.Trim()}'");
        return columns;
    }
}
