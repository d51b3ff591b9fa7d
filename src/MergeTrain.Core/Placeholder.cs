namespace MergeTrain.Core;
