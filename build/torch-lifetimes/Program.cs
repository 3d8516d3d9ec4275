using Loom.Build.TorchLifetimes;
using Mono.Cecil;

// usage: TorchLifetimeWeaver IN/TorchSharp.dll OUT/TorchSharp.dll
// Writes OUT through a temporary file and a rename, so a failed or interrupted run leaves no half-written assembly.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: TorchLifetimeWeaver INPUT.dll OUTPUT.dll");
    return 2;
}
try
{
    using var module = ModuleDefinition.ReadModule(args[0], new ReaderParameters { InMemory = true });
    var stats = LifetimeWeaver.Weave(module);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    var temp = args[1] + $".{Environment.ProcessId}.tmp";
    module.Write(temp);
    File.Move(temp, args[1], overwrite: true);
    Console.WriteLine(
        $"TorchLifetimeWeaver: {args[1]}: {stats.Methods} methods, {stats.HandleReads} handle reads kept alive, {stats.Returns} returns");
    return 0;
}
catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: TorchLifetimeWeaver: {args[0]}: {e.Message}");
    return 1;
}
