using CertPolicy.Samples.EmsClient;

return await Agent.RunAsync(args, Console.Out, Console.Error, Console.IsInputRedirected ? null : Console.In);
