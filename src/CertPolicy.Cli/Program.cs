using CertPolicy.Cli;

return await CertPolicyCli.RunAsync(args, CliEnvironment.FromConsole()).ConfigureAwait(false);
