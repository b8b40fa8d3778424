import TorusQNN
