using System.Security.Cryptography;
using System.Text;
using Loom.Core;
using Microsoft.Data.Sqlite;

namespace Loom.Server.Security;

/// <summary>
/// The API keys of a model store, in a SQLite file inside it (<see cref="FileName"/>, readable by its owner only). A key is
/// <c>loom-ID-SECRET</c>: the id finds the row, and the secret (256 random bits) is checked against a salted SHA-256 hash
/// with a constant-time comparison; the key itself is never stored and is shown once, when it is created. A strong random
/// secret needs no slow hash (PBKDF2 slows guessing of human passwords), so checking a key costs one hash per request.
/// Revoking takes effect on the next request.
/// </summary>
public sealed class ApiKeyStore(string modelsFolder)
{
    public const string FileName = "loom-keys.sqlite";
    private const string Prefix = "loom-";

    public string Path { get; } = System.IO.Path.Combine(modelsFolder, FileName);

    /// <summary>Creates a key named <paramref name="name"/>; returns its record and the key (shown once).</summary>
    public (ApiKeyInfo Info, string Key) Create(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            throw LoomUsageException.ForOption("Name", "a key needs a name of 1 to 100 printable characters");
        using var connection = Open(create: true);
        if (List(connection).Any(k => k.Active && k.Name == name))
            throw LoomUsageException.ForOption("Name", $"an active key is named '{name}'; revoke it first or pick another name");
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var salt = RandomNumberGenerator.GetBytes(16);
        var created = DateTimeOffset.UtcNow;
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO api_keys (id, name, salt, hash, created) VALUES ($id, $name, $salt, $hash, $created)";
        insert.Parameters.AddWithValue("$id", id);
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$salt", salt);
        insert.Parameters.AddWithValue("$hash", Hash(salt, secret));
        insert.Parameters.AddWithValue("$created", created.ToString("O"));
        insert.ExecuteNonQuery();
        return (new ApiKeyInfo(id, name, created, null), $"{Prefix}{id}-{secret}");
    }

    /// <summary>Every key ever created, active or revoked, oldest first.</summary>
    public IReadOnlyList<ApiKeyInfo> List()
    {
        if (!File.Exists(Path)) return [];
        using var connection = Open(create: false);
        return List(connection);
    }

    /// <summary>True when at least one key is active (a server without keys must be started without auth).</summary>
    public bool HasActiveKeys() => List().Any(k => k.Active);

    /// <summary>Revokes the active keys whose id or name is <paramref name="idOrName"/>; returns them.</summary>
    public IReadOnlyList<ApiKeyInfo> Revoke(string idOrName)
    {
        var matches = List().Where(k => k.Active && (k.Id == idOrName || k.Name == idOrName)).ToList();
        if (matches.Count == 0)
            throw new LoomUsageException($"{Path}: no active key has the id or name '{idOrName}'");
        using var connection = Open(create: false);
        var revoked = DateTimeOffset.UtcNow;
        foreach (var key in matches)
        {
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE api_keys SET revoked = $revoked WHERE id = $id";
            update.Parameters.AddWithValue("$revoked", revoked.ToString("O"));
            update.Parameters.AddWithValue("$id", key.Id);
            update.ExecuteNonQuery();
        }
        return matches.Select(k => k with { Revoked = revoked }).ToList();
    }

    /// <summary>The active key <paramref name="presented"/> is, or null (unknown, revoked, malformed).</summary>
    public ApiKeyInfo? Verify(string presented)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || !File.Exists(Path)) return null;
        var rest = presented[Prefix.Length..];
        int dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0) return null;
        var (id, secret) = (rest[..dash], rest[(dash + 1)..]);
        using var connection = Open(create: false);
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT name, salt, hash, created FROM api_keys WHERE id = $id AND revoked IS NULL";
        select.Parameters.AddWithValue("$id", id);
        using var reader = select.ExecuteReader();
        if (!reader.Read()) return null;
        var salt = (byte[])reader["salt"];
        var hash = (byte[])reader["hash"];
        return CryptographicOperations.FixedTimeEquals(Hash(salt, secret), hash)
            ? new ApiKeyInfo(id, reader.GetString(0), Time(reader.GetString(3)), null)
            : null;
    }

    private SqliteConnection Open(bool create)
    {
        if (create && !File.Exists(Path))
        {
            using (File.Create(Path)) { }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = mode, Pooling = false }
            .ToString());
        connection.Open();
        using var schema = connection.CreateCommand();
        schema.CommandText = "CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, salt BLOB NOT NULL, "
            + "hash BLOB NOT NULL, created TEXT NOT NULL, revoked TEXT)";
        schema.ExecuteNonQuery();
        return connection;
    }

    private static List<ApiKeyInfo> List(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT id, name, created, revoked FROM api_keys ORDER BY created, id";
        using var reader = select.ExecuteReader();
        var keys = new List<ApiKeyInfo>();
        while (reader.Read())
            keys.Add(new ApiKeyInfo(reader.GetString(0), reader.GetString(1), Time(reader.GetString(2)),
                reader.IsDBNull(3) ? null : Time(reader.GetString(3))));
        return keys;
    }

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.Parse(text, null, System.Globalization.DateTimeStyles.RoundtripKind);

    private static byte[] Hash(byte[] salt, string secret) => SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(secret)]);
}
