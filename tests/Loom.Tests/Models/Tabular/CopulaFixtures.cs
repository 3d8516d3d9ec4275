using System.Globalization;
using System.Text;
using Loom.Data.Tables;

namespace Loom.Tests.Models.Tabular;

/// <summary>Small seeded tables for the copula tests.</summary>
public static class CopulaFixtures
{
    /// <summary>
    /// x ~ N(10, 2) (2 decimals, 5% missing), y = 0.7·z_x + noise (correlation 0.7 in normal space; 3 decimals), n whole
    /// numbers 1..5, a label 'high'/'low' that follows x, a boolean, a date, and an id key.
    /// </summary>
    public static string GaussianCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("id,x,y,n,level,flag,day\n");
        for (int i = 0; i < rows; i++)
        {
            double zx = Normal(random), zy = 0.7 * zx + Math.Sqrt(1 - 0.49) * Normal(random);
            string x = random.NextDouble() < 0.05 ? "" : (10 + 2 * zx).ToString("0.00", CultureInfo.InvariantCulture);
            string level = zx + 0.5 * Normal(random) > 0 ? "high" : "low";
            text.Append(CultureInfo.InvariantCulture, $"{i + 7},{x},{zy:0.000},{random.Next(1, 6)},{level},")
                .Append(random.NextDouble() < 0.3 ? "True" : "False").Append(',')
                .Append(new DateTime(2024, 1, 1).AddDays(random.Next(0, 60)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                .Append('\n');
        }
        return text.ToString();
    }

    public static Table GaussianTable(int rows, int seed) => Table.Parse(GaussianCsv(rows, seed), "gaussian.csv");

    public static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
