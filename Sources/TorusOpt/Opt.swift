public enum TorusOptModule {}
