return await Fusebox.Replay.ReplayCommand.RunAsync(args, Console.Out, Console.Error);
