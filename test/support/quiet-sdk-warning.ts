import '../../local/quiet-sdk-warning';
