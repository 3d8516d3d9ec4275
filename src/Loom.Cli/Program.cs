using Loom.Cli;

return LoomCli.Run(args);
