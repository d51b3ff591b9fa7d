using MergeTrain.Server;

await MergeTrainServer.Build(args).RunAsync();
