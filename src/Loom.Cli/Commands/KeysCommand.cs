using System.CommandLine;
using Loom.Server.Security;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom keys create|list|revoke --models DIR</c>: the API keys of a model store (<see cref="ApiKeyStore"/>).
/// <c>create --name N</c> prints the new key once; <c>list</c> shows ids, names and states, never keys;
/// <c>revoke ID|NAME</c> revokes at once, running servers included.
/// </summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Create, list and revoke the API keys of a model store (loom serve)");
        command.Subcommands.Add(CreateKey());
        command.Subcommands.Add(ListKeys());
        command.Subcommands.Add(RevokeKey());
        return command;
    }

    private static Command CreateKey()
    {
        var models = ServeCommand.ModelsOption();
        var name = new Option<string>("--name") { Description = "What the key is for (shown by list)", Required = true };
        var command = new Command("create", "Create a key and print it (it is shown only this once)") { models, name };
        command.SetAction(parse =>
        {
            var (info, key) = new ApiKeyStore(Folder(parse, models)).Create(parse.GetValue(name)!);
            var console = parse.InvocationConfiguration.Output;
            console.WriteLine(key);
            parse.InvocationConfiguration.Error.WriteLine($"created key {info.Id} ('{info.Name}'); it is shown only this once");
            return 0;
        });
        return command;
    }

    private static Command ListKeys()
    {
        var models = ServeCommand.ModelsOption();
        var command = new Command("list", "List the keys (ids, names, created, revoked)") { models };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var keys = new ApiKeyStore(Folder(parse, models)).List();
            if (keys.Count == 0) console.WriteLine("no keys");
            foreach (var key in keys)
                console.WriteLine($"{key.Id}  {key.Name}  created {key.Created:u}  "
                    + (key.Revoked is { } revoked ? $"revoked {revoked:u}" : "active"));
            return 0;
        });
        return command;
    }

    private static Command RevokeKey()
    {
        var models = ServeCommand.ModelsOption();
        var key = new Argument<string>("key") { Description = "The id or name of the key to revoke" };
        var command = new Command("revoke", "Revoke a key by id or name (running servers refuse it at once)") { models, key };
        command.SetAction(parse =>
        {
            foreach (var revoked in new ApiKeyStore(Folder(parse, models)).Revoke(parse.GetValue(key)!))
                parse.InvocationConfiguration.Output.WriteLine($"revoked {revoked.Id} ('{revoked.Name}')");
            return 0;
        });
        return command;
    }

    private static string Folder(ParseResult parse, Option<string> models)
    {
        var folder = parse.GetValue(models)!;
        return Directory.Exists(folder) ? folder : throw new Loom.Core.LoomUsageException($"--models: {folder} is not a folder");
    }
}
