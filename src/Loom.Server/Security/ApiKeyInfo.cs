namespace Loom.Server.Security;

/// <summary>What the key store shows of a key: never the key itself, which exists only when it is created.</summary>
public sealed record ApiKeyInfo(string Id, string Name, DateTimeOffset Created, DateTimeOffset? Revoked)
{
    public bool Active => Revoked is null;
}
